DROP TABLE document_services;
DROP TABLE document_templates;
DROP TABLE documents;
DROP FUNCTION documents_immutable();
DROP TABLE document_number_counters;
