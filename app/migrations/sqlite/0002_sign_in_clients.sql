-- Sign-in attempts also remember the client they came from, so five wrong guesses from one
-- address lock that address out of the account, not the account's owner.
ALTER TABLE sign_in_attempts ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS sign_in_attempts_client_at ON sign_in_attempts (client, at);
