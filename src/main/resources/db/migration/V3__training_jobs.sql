-- Training jobs. Plain SQL that runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.
-- The request, progress and history are JSON documents stored as text, read and written whole.
-- The table is the queue: workers claim the oldest QUEUED row with a conditional UPDATE.

CREATE TABLE training_jobs (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    model         VARCHAR(64)  NOT NULL,
    task          VARCHAR(32)  NOT NULL,
    architecture  VARCHAR(64)  NOT NULL,
    dataset       VARCHAR(36)  NOT NULL,
    request       TEXT         NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    progress      TEXT,
    history       TEXT,
    result_model  VARCHAR(80),
    error         TEXT,
    device        VARCHAR(16),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE,
    finished_at   TIMESTAMP WITH TIME ZONE
);

CREATE INDEX training_jobs_by_status ON training_jobs (status, created_at, id);
