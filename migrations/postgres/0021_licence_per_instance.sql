-- One licence per approved application: the after-approval step may be retried by a job (or by
-- two servers at once) without issuing it twice.
CREATE UNIQUE INDEX licences_one_per_instance ON licences(instance_id);
