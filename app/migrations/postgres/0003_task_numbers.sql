-- Each user's tasks are numbered 1, 2, 3… in the order they were made, so "mark 1 as done"
-- means the person's own first task (ids are global, and would leak how many tasks exist).
ALTER TABLE tasks ADD COLUMN number BIGINT NOT NULL DEFAULT 0;
UPDATE tasks SET number = (
    SELECT COUNT(*) FROM tasks AS earlier
    WHERE earlier.user_id = tasks.user_id AND earlier.id <= tasks.id
);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_user_number ON tasks (user_id, number);
-- The last number each user was given: numbers are never reused, even after a deletion.
ALTER TABLE users ADD COLUMN task_numbers BIGINT NOT NULL DEFAULT 0;
UPDATE users SET task_numbers = (
    SELECT COALESCE(MAX(number), 0) FROM tasks WHERE tasks.user_id = users.id
);
