-- The upload sweep asks, per file, whether anything names it.
CREATE INDEX application_materials_file ON application_materials(file_id);
CREATE INDEX approval_attachments_file ON approval_attachments(file_id);
CREATE INDEX ops_ticket_files_file ON ops_ticket_files(file_id);
CREATE INDEX files_sha256 ON files(sha256);
