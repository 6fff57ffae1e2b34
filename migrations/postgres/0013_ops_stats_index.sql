-- The figures read a period's tickets from this index alone (no table lookups): a year of a
-- million tickets in one ordered pass.
CREATE INDEX ops_tickets_figures ON ops_tickets(opened_at, system, category, level, resolved_at, escalated_to,
    first_response_seconds, response_met, resolution_met, unit_path);
