-- What each chat turn changed, so "undo" can put it back: the task as it was before
-- (NULL when the turn created it). A turn is the id of the person's message.
CREATE TABLE IF NOT EXISTS chat_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    turn BIGINT NOT NULL,
    task_number BIGINT NOT NULL,
    before_state TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_changes_conversation ON chat_changes (conversation_id, turn);
-- A task's due day (YYYY-MM-DD in the person's calendar), if it has one.
ALTER TABLE tasks ADD COLUMN due_date TEXT;
