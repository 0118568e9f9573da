DROP TABLE personal_data_audit;
DROP FUNCTION personal_data_audit_is_append_only();
