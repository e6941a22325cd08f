-- Uploaded and generated datasets. Plain SQL that runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.
-- The summary (classes and counts, or columns and rows) is a JSON document stored as text, read and written whole.

CREATE TABLE datasets (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    name          VARCHAR(64)  NOT NULL,
    kind          VARCHAR(16)  NOT NULL,
    artifact_key  VARCHAR(512) NOT NULL,
    sha256        CHAR(64)     NOT NULL,
    size_bytes    BIGINT       NOT NULL,
    summary       TEXT         NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX datasets_by_created ON datasets (created_at, id);
