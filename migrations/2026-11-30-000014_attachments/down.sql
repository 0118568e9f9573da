ALTER TABLE document_services DROP CONSTRAINT document_services_proof_fkey;
DROP TABLE attachment_chunks;
DROP TABLE attachments;
