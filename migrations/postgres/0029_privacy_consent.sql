-- When an applicant agreed to the privacy notice on registering (PIPL art. 14: consent given
-- knowingly, by a clear act). Accounts made by staff or imported have none.
ALTER TABLE users ADD COLUMN consented_at TEXT;
