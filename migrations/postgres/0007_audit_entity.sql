-- An application's (or any entity's) history reads the audit trail by entity.
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
