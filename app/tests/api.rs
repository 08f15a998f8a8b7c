//! The backend's HTTP API against real processes, on both Postgres and SQLite.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use common::{Engine, TestDb, User, backend, http};
use serde_json::{Value, json};

/// Runs one async scenario once per database engine.
macro_rules! on_both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn postgres() {
                super::$name(super::Engine::Postgres).await;
            }
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Engine::Sqlite).await;
            }
        }
    };
}

async fn auth_flow(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let c = http();
    let url = |p: &str| format!("{}{p}", be.url);

    let r = c
        .post(url("/api/auth/sign-up/email"))
        .json(&json!({"email": "Ada@Example.com", "password": "analytical-engine", "name": "Ada"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("better-auth.session_token="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.com");
    let token = body["token"].as_str().unwrap().to_string();

    // The token is stored hashed, never as given.
    let pool = db.pool().await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    // Duplicate sign-up is a conflict.
    let r = c
        .post(url("/api/auth/sign-up/email"))
        .json(&json!({"email": "ada@example.com", "password": "analytical-engine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    // Cookie and bearer both work for get-session.
    let cookie_pair = cookie.split(';').next().unwrap().to_string();
    for (k, v) in [
        ("cookie", cookie_pair.clone()),
        ("authorization", format!("Bearer {token}")),
    ] {
        let s: Value = c
            .get(url("/api/auth/get-session"))
            .header(k, v)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(s["user"]["name"], "Ada", "{k}");
    }
    let anon: Value = c
        .get(url("/api/auth/get-session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anon, Value::Null);

    // Wrong password: 401 in the error shape.
    let r = c
        .post(url("/api/auth/sign-in/email"))
        .json(&json!({"email": "ada@example.com", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "unauthorized");

    // Right password signs in with a new token.
    let r = c
        .post(url("/api/auth/sign-in/email"))
        .json(&json!({"email": "ada@example.com", "password": "analytical-engine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let second: Value = r.json().await.unwrap();
    assert_ne!(second["token"], token);

    // Sign-out ends that session only.
    let r = c
        .post(url("/api/auth/sign-out"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(url("/api/tasks"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(url("/api/tasks"))
        .bearer_auth(second["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
on_both_engines!(auth_flow);

/// Regression: the limit was checked before the password and recorded after it, so 30
/// parallel guesses were all checked; and it was per account only, so anyone's five wrong
/// guesses locked the owner out.
async fn parallel_guesses_stop_at_the_limit_and_the_owner_still_signs_in(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let owner = User::sign_up(&be.url).await;
    let me: Value = owner
        .client
        .get(format!("{}/api/auth/get-session", be.url))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let email = me["user"]["email"].as_str().unwrap().to_string();
    let url = format!("{}/api/auth/sign-in/email", be.url);
    let c = http();
    let guesses = (0..30).map(|i| {
        // The right password hides among the guesses; it must not get through the limit.
        let password = if i == 20 {
            "correct-horse-1"
        } else {
            "wrong-guess"
        };
        c.post(&url)
            .header("x-forwarded-for", "198.51.100.7")
            .json(&json!({"email": email, "password": password}))
            .send()
    });
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    let checked = statuses.iter().filter(|s| **s != 429).count();
    assert!(checked <= 5, "{checked} passwords checked: {statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 401, 429].contains(s)),
        "{statuses:?}"
    );
    // The owner, from another address, is not locked out by someone else's guesses.
    let r = c
        .post(&url)
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"email": email, "password": "correct-horse-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
on_both_engines!(parallel_guesses_stop_at_the_limit_and_the_owner_still_signs_in);

/// Regression: a page on another origin could sign a user out with a plain form POST, since
/// sign-out read no body and so no content-type check applied.
async fn a_cross_site_form_changes_nothing_on_any_route(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let user = User::sign_up(&be.url).await;
    let (_, task) = user
        .call("POST", "/api/tasks", Some(json!({"title": "keep me"})))
        .await;
    let c = http();
    let cookie = format!("better-auth.session_token={}", user.token);
    let id = task["id"].as_i64().unwrap();
    // Every state-changing route, with each body a form can send, and a JSON body a page
    // on another site might get through (marked cross-site by the browser).
    let routes = [
        ("POST", "/api/auth/sign-out".to_string()),
        ("POST", "/api/tasks".to_string()),
        ("POST", "/api/chat".to_string()),
        ("PATCH", format!("/api/tasks/{id}")),
        ("PUT", format!("/api/tasks/{id}")),
        ("DELETE", format!("/api/tasks/{id}")),
        ("POST", "/mcp".to_string()),
    ];
    let bodies = [
        (
            "application/x-www-form-urlencoded",
            "title=pwned&message=delete+all",
            None,
        ),
        (
            "multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\npwned\r\n--x--\r\n",
            None,
        ),
        (
            "text/plain",
            "{\"title\":\"pwned\",\"message\":\"delete task 1\"}",
            None,
        ),
        (
            "application/json",
            "{\"title\":\"pwned\",\"message\":\"delete task 1\",\"completed\":true}",
            Some("cross-site"),
        ),
    ];
    for (method, path) in &routes {
        for (content_type, body, site) in &bodies {
            let mut r = c
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    format!("{}{path}", be.url),
                )
                .header("cookie", &cookie)
                .header("content-type", *content_type)
                .body(*body);
            if let Some(site) = site {
                r = r.header("sec-fetch-site", *site);
            }
            let r = r.send().await.unwrap();
            let status = r.status().as_u16();
            assert!(
                status == 415 || status == 403,
                "{method} {path} as {content_type} ({site:?}) gave {status}"
            );
            let e: Value = r.json().await.unwrap();
            assert!(
                e["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains(path.as_str()),
                "{e}"
            );
        }
    }
    // Nothing changed: the session lives, the one task is as it was.
    let (status, tasks) = user.call("GET", "/api/tasks", None).await;
    assert_eq!(status, 200, "the session survived");
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    assert_eq!(tasks[0]["title"], "keep me");
    assert_eq!(tasks[0]["completed"], false);
    // The UI's own requests (JSON, same cookie, same origin) work.
    let same_site = |method: reqwest::Method, path: String, body: Value| {
        c.request(method, format!("{}{path}", be.url))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .json(&body)
            .send()
    };
    let r = same_site(
        reqwest::Method::PATCH,
        format!("/api/tasks/{id}"),
        json!({"completed": true}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = same_site(
        reqwest::Method::POST,
        "/api/auth/sign-out".into(),
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
}
on_both_engines!(a_cross_site_form_changes_nothing_on_any_route);

async fn sign_in_is_rate_limited(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let c = http();
    let url = format!("{}/api/auth/sign-in/email", be.url);
    User::sign_up(&be.url).await;
    let bad = json!({"email": "victim@example.com", "password": "guess-guess"});
    for _ in 0..5 {
        assert_eq!(c.post(&url).json(&bad).send().await.unwrap().status(), 401);
    }
    let r = c.post(&url).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "rate_limited");
    // Another account is unaffected.
    let other = json!({"email": "someone@example.com", "password": "guess-guess"});
    assert_eq!(
        c.post(&url).json(&other).send().await.unwrap().status(),
        401
    );
}
on_both_engines!(sign_in_is_rate_limited);

async fn tasks_crud_and_isolation(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let alice = User::sign_up(&be.url).await;
    let bob = User::sign_up(&be.url).await;

    let (s, t) = alice
        .call(
            "POST",
            "/api/tasks",
            Some(json!({"title": "  buy milk ", "description": "2 litres"})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(t["title"], "buy milk");
    assert_eq!(t["completed"], false);
    let id = t["id"].as_i64().unwrap();
    alice
        .call("POST", "/api/tasks", Some(json!({"title": "call mom"})))
        .await;

    let (s, t) = alice
        .call(
            "PATCH",
            &format!("/api/tasks/{id}"),
            Some(json!({"completed": true})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(t["completed"], true);
    assert_eq!(t["description"], "2 litres");

    let (_, done) = alice.call("GET", "/api/tasks?status=completed", None).await;
    assert_eq!(done.as_array().unwrap().len(), 1);
    let (_, pending) = alice.call("GET", "/api/tasks?status=pending", None).await;
    assert_eq!(pending[0]["title"], "call mom");

    // Bob sees nothing of Alice's, and her task is a 404 for him on every verb.
    let (_, list) = bob.call("GET", "/api/tasks", None).await;
    assert_eq!(list, json!([]));
    let path = format!("/api/tasks/{id}");
    for (m, body) in [
        ("GET", None),
        ("PATCH", Some(json!({"title": "mine"}))),
        ("DELETE", None),
    ] {
        let (s, e) = bob.call(m, &path, body).await;
        assert_eq!(s, 404, "{m}");
        assert_eq!(e["error"]["code"], "not_found");
    }
    let (_, still) = alice.call("GET", &path, None).await;
    assert_eq!(still["title"], "buy milk");

    // Validation and error shape.
    let (s, e) = alice
        .call("POST", "/api/tasks", Some(json!({"title": "   "})))
        .await;
    assert_eq!(s, 422);
    assert!(e["error"]["message"].as_str().unwrap().contains("title"));
    let (s, e) = alice
        .call("POST", "/api/tasks", Some(json!({"nope": 1})))
        .await;
    assert_eq!(s, 422);
    assert!(e["error"]["message"].is_string());
    let (s, e) = alice.call("GET", "/api/tasks/abc", None).await;
    assert_eq!(s, 400);
    assert_eq!(e["error"]["code"], "bad_request");

    let (s, _) = alice.call("DELETE", &path, None).await;
    assert_eq!(s, 204);
    let (s, _) = alice.call("GET", &path, None).await;
    assert_eq!(s, 404);
}
on_both_engines!(tasks_crud_and_isolation);

async fn offline_chat_round_trip(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let u = User::sign_up(&be.url).await;
    let first = u.chat(None, "add buy milk").await;
    let conv = first["conversation_id"].as_i64().unwrap();
    assert_eq!(first["actions"][0]["tool"], "add_task");
    assert!(first["reply"].as_str().unwrap().contains("buy milk"));
    u.chat(Some(conv), "remind me to call mom").await;
    let done = u.chat(Some(conv), "I finished the milk task").await;
    assert_eq!(done["actions"][0]["tool"], "complete_task");
    let renamed = u.chat(Some(conv), "rename the mom task to call dad").await;
    assert_eq!(renamed["actions"][0]["result"]["title"], "call dad");
    let list = u.chat(Some(conv), "what's left?").await;
    let reply = list["reply"].as_str().unwrap();
    assert!(
        reply.contains("call dad") && !reply.contains("buy milk"),
        "{reply}"
    );
    let unknown = u.chat(Some(conv), "sing me a song").await;
    assert!(unknown["reply"].as_str().unwrap().contains("add buy milk"));
    assert_eq!(unknown["actions"], json!([]));

    // The conversation is stored: 6 user and 6 assistant messages.
    let pool = db.pool().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1")
        .bind(conv)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 12);

    // Someone else's conversation id is not found.
    let other = User::sign_up(&be.url).await;
    let (s, _) = other
        .call(
            "POST",
            "/api/chat",
            Some(json!({"conversation_id": conv, "message": "list"})),
        )
        .await;
    assert_eq!(s, 404);
    // Too long a message is refused with the limit named.
    let (s, e) = u
        .call(
            "POST",
            "/api/chat",
            Some(json!({"message": "a".repeat(2001)})),
        )
        .await;
    assert_eq!(s, 422);
    assert!(e["error"]["message"].as_str().unwrap().contains("2000"));
}
on_both_engines!(offline_chat_round_trip);

#[tokio::test]
async fn health_ready_metrics_and_limits() {
    let db = TestDb::new(Engine::Sqlite).await;
    let be = backend(&db, &[]).await;
    let c = http();
    let h: Value = c
        .get(format!("{}/health", be.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    let u = User::sign_up(&be.url).await;
    u.call("GET", "/api/tasks", None).await;
    u.call("GET", "/api/tasks/999", None).await;

    // A body over 64 KiB is refused in the JSON error shape.
    let big = json!({"title": "x".repeat(70 * 1024)});
    let (s, e) = u.call("POST", "/api/tasks", Some(big)).await;
    assert_eq!(s, 413);
    assert_eq!(e["error"]["code"], "payload_too_large");

    let (s, e) = u.call("GET", "/nowhere", None).await;
    assert_eq!(s, 404);
    assert_eq!(e["error"]["code"], "not_found");

    let text = c
        .get(format!("{}/metrics", be.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"http_requests_total{route="/api/tasks",method="GET",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"http_requests_total{route="/api/tasks/{id}",method="GET",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(
        "http_request_duration_seconds_bucket{route=\"/api/auth/sign-up/email\",le=\"+Inf\"} 1"
    ));
}

on_both_engines!(control_characters_are_refused_in_every_text_field);
async fn control_characters_are_refused_in_every_text_field(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let c = http();
    let sign_up = |body: Value| {
        let c = c.clone();
        let url = format!("{}/api/auth/sign-up/email", be.url);
        async move {
            let r = c.post(url).json(&body).send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, body) = sign_up(
        json!({"email": "nul@example.com", "password": "correct-horse-1", "name": "T\u{0}ess"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("name"),
        "{body}"
    );
    let (status, _) =
        sign_up(json!({"email": "n\u{0}ul@example.com", "password": "correct-horse-1"})).await;
    assert_eq!(status, 422);

    let user = User::sign_up(&be.url).await;
    let (status, body) = user
        .call("POST", "/api/tasks", Some(json!({"title": "buy\u{0}milk"})))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("U+0000"),
        "{body}"
    );
    let (status, _) = user
        .call(
            "POST",
            "/api/chat",
            Some(json!({"message": "add \u{1b}[31mred"})),
        )
        .await;
    assert_eq!(status, 422);
    // Nothing was stored, and ordinary text with a newline still is.
    let (status, tasks) = user.call("GET", "/api/tasks", None).await;
    assert_eq!(status, 200);
    assert_eq!(tasks.as_array().map(Vec::len), Some(0), "{tasks}");
    let (status, _) = user
        .call("POST", "/api/tasks", Some(json!({"title": "two\nlines"})))
        .await;
    assert_eq!(status, 201);
}

on_both_engines!(malformed_emails_and_blank_passwords_are_refused);
async fn malformed_emails_and_blank_passwords_are_refused(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let c = http();
    let sign_up = |email: &str, password: &str| {
        let c = c.clone();
        let url = format!("{}/api/auth/sign-up/email", be.url);
        let body = json!({"email": email, "password": password});
        async move {
            let r = c.post(url).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap_or_default())
        }
    };
    for bad in [
        "a b@c d.com",
        "two@@x.com",
        "x@y@z.com",
        "@example.com",
        "me@.com",
        "me@example..com",
        "me@-example.com",
        "me@example",
        "me\t@example.com",
    ] {
        let (status, body) = sign_up(bad, "correct-horse-1").await;
        assert_eq!(status, 422, "{bad:?} was accepted: {body}");
        assert!(body.contains("not a valid address"), "{bad:?}: {body}");
    }
    let (status, body) = sign_up("spaces@example.com", "        ").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("more than spaces"), "{body}");
    // Ordinary addresses and passphrases with spaces still work.
    for (email, password) in [
        ("Jo.Smith+todo@Example.co.uk", "correct horse battery"),
        ("élise@exemple.fr", "12345678"),
    ] {
        let (status, body) = sign_up(email, password).await;
        assert_eq!(status, 200, "{email:?}: {body}");
    }
}

/// Regression: task numbers were global ids, so "mark 1 as done" worked only for the first
/// user of the system, and ids told everyone how many tasks existed.
async fn every_user_numbers_their_own_tasks(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let first = User::sign_up(&be.url).await;
    first.chat(None, "add water the plants").await;
    let second = User::sign_up(&be.url).await;
    let added = second.chat(None, "add buy milk").await;
    let reply = added["reply"].as_str().unwrap();
    assert!(reply.contains("#1"), "{reply}");
    let done = second.chat(None, "mark 1 as done").await;
    assert_eq!(done["actions"][0]["result"]["title"], "buy milk", "{done}");
    let (_, mine) = first.call("GET", "/api/tasks", None).await;
    assert_eq!(
        mine[0]["completed"], false,
        "the first user's #1 was touched"
    );
    // Numbers are never reused after a deletion, and parallel creations get distinct ones.
    second.chat(None, "delete task 1").await;
    let creations = (0..12).map(|i| {
        second.call(
            "POST",
            "/api/tasks",
            Some(json!({"title": format!("parallel {i}")})),
        )
    });
    let made = futures::future::join_all(creations).await;
    let mut numbers: Vec<i64> = made
        .iter()
        .map(|(status, t)| {
            assert_eq!(*status, 201, "{t}");
            t["number"].as_i64().unwrap()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (2..14).collect::<Vec<i64>>());
    let missing = second.chat(None, "complete 99").await;
    assert!(
        missing["reply"].as_str().unwrap().contains("no task #99"),
        "{missing}"
    );
    // "Clear completed" deletes exactly the completed ones, one action each.
    second.chat(None, "complete 2").await;
    second.chat(None, "I already did parallel 5").await;
    let cleared = second.chat(None, "clear all completed tasks").await;
    assert_eq!(cleared["actions"].as_array().unwrap().len(), 2, "{cleared}");
    assert!(
        cleared["reply"]
            .as_str()
            .unwrap()
            .starts_with("Cleared 2 completed tasks"),
        "{cleared}"
    );
    let (_, left) = second.call("GET", "/api/tasks", None).await;
    assert_eq!(left.as_array().unwrap().len(), 10);
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .all(|t| t["completed"] == false)
    );
    let thanks = second.chat(None, "thanks!").await;
    assert_eq!(thanks["actions"], json!([]));
}
on_both_engines!(every_user_numbers_their_own_tasks);

/// Sends a chat message with the person's day; returns the response, asserting 200.
async fn chat_on(u: &User, conversation: Option<i64>, message: &str, today: &str) -> Value {
    let (status, body) = u
        .call(
            "POST",
            "/api/chat",
            Some(json!({"conversation_id": conversation, "message": message, "today": today})),
        )
        .await;
    assert_eq!(status, 200, "chat {message:?}: {body}");
    body
}

async fn undo_puts_back_each_kind_of_change(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let u = User::sign_up(&be.url).await;
    let tasks = |u: &User| {
        let u = u.clone();
        async move { u.call("GET", "/api/tasks", None).await.1 }
    };
    let first = u.chat(None, "undo").await;
    assert!(
        first["reply"].as_str().unwrap().contains("nothing to undo"),
        "{first}"
    );
    let c = first["conversation_id"].as_i64();
    u.chat(c, "add buy milk").await;
    u.chat(c, "add call mom").await;
    // A deletion comes back with its number, title and state.
    u.chat(c, "complete 2").await;
    u.chat(c, "delete the mom task").await;
    let back = u.chat(c, "undo that").await;
    assert!(back["reply"].as_str().unwrap().contains("#2"), "{back}");
    let list = tasks(&u).await;
    assert_eq!(list[1]["number"], 2);
    assert_eq!(list[1]["title"], "call mom");
    assert_eq!(list[1]["completed"], true);
    // A second undo goes one turn further back: the completion.
    u.chat(c, "undo").await;
    assert_eq!(tasks(&u).await[1]["completed"], false);
    // A rename, a clear of two completed tasks, an addition.
    u.chat(c, "rename task 1 to buy oat milk").await;
    u.chat(c, "oops, undo").await;
    assert_eq!(tasks(&u).await[0]["title"], "buy milk");
    u.chat(c, "complete 1").await;
    u.chat(c, "complete 2").await;
    u.chat(c, "clear completed").await;
    assert_eq!(tasks(&u).await, json!([]));
    let undone = u.chat(c, "undo").await;
    assert_eq!(undone["actions"].as_array().unwrap().len(), 2, "{undone}");
    assert_eq!(tasks(&u).await.as_array().unwrap().len(), 2);
    u.chat(c, "add water plants").await;
    u.chat(c, "take that back").await;
    let titles: Vec<Value> = tasks(&u)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].clone())
        .collect();
    assert_eq!(titles, [json!("buy milk"), json!("call mom")]);
    // Everything at once: two named together, every pending one marked done and undone
    // together; deleting all is asked first. (buy milk and call mom are done by now.)
    let two = u.chat(c, "add 'walk dog' and 'feed cat'").await;
    assert_eq!(two["actions"].as_array().unwrap().len(), 2, "{two}");
    assert_eq!(tasks(&u).await[3]["title"], "feed cat");
    let all_done = u.chat(c, "mark all as done").await;
    assert_eq!(
        all_done["actions"].as_array().unwrap().len(),
        2,
        "{all_done}"
    );
    let done = |list: Value| -> Vec<bool> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|t| t["completed"] == true)
            .collect()
    };
    assert_eq!(done(tasks(&u).await), [true, true, true, true]);
    u.chat(c, "undo").await;
    assert_eq!(done(tasks(&u).await), [true, true, false, false]);
    let asked = u.chat(c, "delete all").await;
    assert_eq!(asked["actions"], json!([]), "{asked}");
    assert!(
        asked["reply"]
            .as_str()
            .unwrap()
            .contains("yes, delete all my tasks"),
        "{asked}"
    );
    assert_eq!(tasks(&u).await.as_array().unwrap().len(), 4);
    let gone = u.chat(c, "yes, delete all my tasks").await;
    assert_eq!(gone["actions"].as_array().unwrap().len(), 4, "{gone}");
    assert_eq!(tasks(&u).await, json!([]));
    u.chat(c, "undo").await;
    assert_eq!(done(tasks(&u).await), [true, true, false, false]);
    // Undo belongs to its conversation: a new one has nothing to undo.
    let other = u.chat(None, "undo").await;
    assert!(other["reply"].as_str().unwrap().contains("nothing to undo"));
}
on_both_engines!(undo_puts_back_each_kind_of_change);

async fn due_days_bare_titles_and_a_restored_conversation(engine: Engine) {
    let db = TestDb::new(engine).await;
    let be = backend(&db, &[]).await;
    let u = User::sign_up(&be.url).await;
    let (_, none) = u.call("GET", "/api/chat", None).await;
    assert_eq!(none, json!({"conversation_id": null, "messages": []}));
    // The person's today decides what "tomorrow" is (within a day of the server's).
    let today = chrono::Utc::now().date_naive();
    let day = |n: u64| {
        (today + chrono::Days::new(n))
            .format("%Y-%m-%d")
            .to_string()
    };
    let t0 = day(0);
    let added = chat_on(&u, None, "remind me tomorrow to call the bank", &t0).await;
    let c = added["conversation_id"].as_i64();
    assert_eq!(added["actions"][0]["result"]["title"], "call the bank");
    assert_eq!(added["actions"][0]["result"]["due_date"], day(1));
    chat_on(&u, c, "add pay rent in 3 days", &t0).await;
    let bare = chat_on(&u, c, "buy groceries", &t0).await;
    assert_eq!(bare["actions"][0]["tool"], "add_task", "{bare}");
    assert!(bare["reply"].as_str().unwrap().contains("undo"), "{bare}");
    let chit = chat_on(&u, c, "sing me a song", &t0).await;
    assert_eq!(chit["actions"], json!([]));
    let due = chat_on(&u, c, "what's due tomorrow?", &t0).await;
    let reply = due["reply"].as_str().unwrap();
    assert!(
        reply.contains("call the bank") && !reply.contains("rent") && !reply.contains("groceries"),
        "{reply}"
    );
    let later = chat_on(&u, c, "anything due in 3 days?", &t0).await;
    assert!(
        later["reply"].as_str().unwrap().contains("pay rent"),
        "{later}"
    );
    // Seen from the day after tomorrow, the bank call is overdue.
    let (s, _) = u
        .call(
            "PATCH",
            &format!("/api/tasks/{}", added["actions"][0]["result"]["id"]),
            Some(json!({"due_date": day(0)})),
        )
        .await;
    assert_eq!(s, 200);
    let overdue = chat_on(&u, c, "what's overdue", &day(1)).await;
    assert!(
        overdue["reply"].as_str().unwrap().contains("call the bank"),
        "{overdue}"
    );
    // A bad date is refused by name; an empty one clears it.
    let (s, e) = u
        .call(
            "POST",
            "/api/tasks",
            Some(json!({"title": "x", "due_date": "2026-02-30"})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD")
    );
    // The conversation comes back whole, in order.
    let (_, shown) = u.call("GET", "/api/chat", None).await;
    assert_eq!(shown["conversation_id"].as_i64(), c);
    let messages = shown["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 14, "{shown}");
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(
        messages[0]["content"],
        "remind me tomorrow to call the bank"
    );
    assert_eq!(messages[13]["role"], "assistant");
    // Nobody else sees it.
    let other = User::sign_up(&be.url).await;
    let (_, theirs) = other.call("GET", "/api/chat", None).await;
    assert_eq!(theirs["conversation_id"], Value::Null);
}
on_both_engines!(due_days_bare_titles_and_a_restored_conversation);
