-- After an approval, its application is found by the instance.
CREATE INDEX applications_instance ON applications(instance_id);
