-- Webhook deliveries already handled, by forge and delivery id (X-GitHub-Delivery, X-Gitea-Delivery,
-- X-Gitlab-Event-UUID), so a replayed or redelivered request triggers nothing a second time. A row
-- counts until expires_at; expired rows are deleted as new deliveries arrive.
CREATE TABLE webhook_deliveries (
    forge           text NOT NULL,
    delivery_id     text NOT NULL,
    received_at     timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (forge, delivery_id)
);
CREATE INDEX webhook_deliveries_expiry ON webhook_deliveries (expires_at);

-- Pull-request jobsets: a copy of a jobset that follows a repository's open pull requests (its
-- "pullrequests" input), evaluating one pull request's head. pull_request_head is the head commit
-- last seen, so new commits trigger an evaluation. Closing the pull request disables the jobset;
-- deleting the jobset it was copied from deletes it.
ALTER TABLE jobsets ADD COLUMN pull_request_of bigint REFERENCES jobsets(id) ON DELETE CASCADE;
ALTER TABLE jobsets ADD COLUMN pull_request_number integer;
ALTER TABLE jobsets ADD COLUMN pull_request_head text;
CREATE UNIQUE INDEX jobsets_pull_request ON jobsets (pull_request_of, pull_request_number) WHERE pull_request_of IS NOT NULL;
