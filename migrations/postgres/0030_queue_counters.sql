-- Ticket numbers per hall and day from one counter row, bumped with UPDATE … RETURNING: two
-- kiosks at once wait for each other on the row instead of picking the same MAX(seq) + 1.
CREATE TABLE queue_counters (
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day)
);
INSERT INTO queue_counters (unit_id, day, last)
SELECT unit_id, day, MAX(seq) FROM queue_tickets GROUP BY unit_id, day;
