-- The necessary work of an `assign` with If-Match: lock the case (checking its version), update
-- it, insert the event, and record the head's unmasked view in the personal-data audit. Each
-- client works on its own case.
\set n :client_id + 1
BEGIN;
SELECT c.id AS cid, c.version AS v FROM cases c JOIN bench_move b ON b.id = c.id WHERE b.n = :n FOR UPDATE OF c \gset
UPDATE cases SET version = version + 1, handlers = ARRAY[:handler::uuid], lifecycle = jsonb_set(lifecycle, '{handlers}', jsonb_build_array(:handler::text)), updated_at = now() WHERE id = :cid::uuid AND version = :v::int;
INSERT INTO case_events (case_id, seq, action, from_state, to_state, actor_id, occurred_on, payload) VALUES (:cid::uuid, :v::int + 1, 'assign', 'received', 'received', :actor::uuid, current_date, jsonb_build_object('action', jsonb_build_object('action', 'assign', 'handlers', jsonb_build_array(:handler::text))));
INSERT INTO personal_data_audit (user_id, username, case_id, endpoint) VALUES (:actor::uuid, 'head', :cid::uuid, 'POST /api/v1/cases/{id}/transitions');
END;
