-- Why an application's clock is stopped: 'supplement' or 'special:<procedure>' (特别程序).
ALTER TABLE approval_instances ADD COLUMN pause_kind TEXT;
UPDATE approval_instances SET pause_kind = 'supplement' WHERE status = 'paused';
