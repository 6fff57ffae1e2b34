-- Licences of format 2: a random verification code opens the public check (numbers are
-- sequential), and the holder is bound by a keyed digest instead of a plain hash. Rows of
-- format 1 are re-issued under the content rules at start-up, keeping number and validity.
ALTER TABLE licences ADD COLUMN verify_code TEXT NOT NULL DEFAULT '';
ALTER TABLE licences ADD COLUMN holder_binding TEXT NOT NULL DEFAULT '';
ALTER TABLE licences ADD COLUMN format BIGINT NOT NULL DEFAULT 1;
CREATE INDEX licences_format ON licences(format);
