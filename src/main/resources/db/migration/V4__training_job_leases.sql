-- Several instances can share one database: a RUNNING job names the instance running it and when that instance
-- last renewed its lease. A lease left to expire means the instance is gone; any instance then fails the job.

ALTER TABLE training_jobs ADD COLUMN owner VARCHAR(255);
ALTER TABLE training_jobs ADD COLUMN heartbeat_at TIMESTAMP WITH TIME ZONE;
-- A cancel asked of any instance reaches the one running the job when it next renews its lease.
ALTER TABLE training_jobs ADD COLUMN cancel_requested BOOLEAN DEFAULT FALSE NOT NULL;
