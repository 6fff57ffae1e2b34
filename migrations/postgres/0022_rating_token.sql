-- A counter application's rating code (扫码评价): printed on its notices as a QR code, it lets the
-- applicant rate the window's service from their phone without an account, once.
ALTER TABLE applications ADD COLUMN rating_token TEXT;
CREATE UNIQUE INDEX applications_rating_token ON applications(rating_token);
