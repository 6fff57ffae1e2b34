-- ID numbers are stored sealed (src/vault.rs); a keyed tag beside each finds it again.
ALTER TABLE users ADD COLUMN id_tag TEXT;
CREATE INDEX users_id_tag ON users(id_tag);
ALTER TABLE applications ADD COLUMN applicant_tag TEXT;
CREATE INDEX applications_applicant_tag ON applications(applicant_tag, id);
ALTER TABLE licences ADD COLUMN holder_tag TEXT;
CREATE INDEX licences_holder_tag ON licences(holder_tag);
