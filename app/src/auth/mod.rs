//! Auth in the shape of Better Auth: email sign-up/sign-in, DB-backed sessions.

pub mod password;
pub mod rate_limit;
pub mod routes;
pub mod session;

pub use session::AuthUser;
