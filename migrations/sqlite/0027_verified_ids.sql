-- One resident ID (or credit code) is one applicant. A registration only claims an ID number;
-- the account is bound to it (and sees the records filed under it) once the claim is verified:
-- at a window with the document, or by a real-name check. Accounts that were the only claim of
-- their number keep it; numbers claimed twice wait for a window to decide.
ALTER TABLE users ADD COLUMN id_verified_at TEXT;
UPDATE users SET id_verified_at = created_at
 WHERE id_tag IS NOT NULL AND id_tag <> ''
   AND id_tag IN (SELECT id_tag FROM users WHERE id_tag IS NOT NULL AND id_tag <> ''
                  GROUP BY id_tag HAVING COUNT(*) = 1);
CREATE UNIQUE INDEX users_verified_id ON users(id_tag) WHERE id_verified_at IS NOT NULL;
