//! The chat web UI end to end in headless Chromium, driven over WebDriver from Rust:
//! sign up, add a task by chat, see it, complete it, delete it; screenshots are kept under
//! `target/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use common::{Engine, FRONTEND, Process, TestDb, backend, free_port};
use fantoccini::Locator;
use serde_json::json;
use todo_e2e::browser::{self, WAIT};

#[tokio::test]
async fn sign_up_add_complete_delete_in_chromium() {
    let db = TestDb::new(Engine::Postgres).await;
    let be = backend(&db, &[]).await;
    let mut fe = Process::spawn(FRONTEND, &[("BACKEND_URL", &be.url)]);
    fe.wait_ready("/health", WAIT).await;
    let profile = common::scratch_dir().join(format!("chrome-profile-{}", free_port()));
    let b = browser::start(profile).await;
    let shots = browser::screenshot_dir(env!("CARGO_TARGET_TMPDIR"));
    browser::todo_flow(&b.client, &fe.url, "grace@example.com", &shots, "local").await;

    // The rows the UI showed were real: the task was completed, then deleted, in Postgres.
    let pool = db.pool().await;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 1);

    // Phone width: nothing overflows sideways and the task list stacks under the chat.
    let c = &b.client;
    c.set_window_size(390, 844).await.unwrap();
    let fits = c
        .execute(
            "const chat = document.getElementById('chat').getBoundingClientRect();\
             const tasks = document.getElementById('tasks').getBoundingClientRect();\
             return document.documentElement.scrollWidth <= window.innerWidth && tasks.top >= chat.bottom;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true));
    assert!(
        c.find(Locator::Id("chat-input"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );
    std::fs::write(shots.join("chat-phone.png"), c.screenshot().await.unwrap()).unwrap();

    // Regression: one long unbroken word in a message pushed the page sideways and, on a
    // phone, the Send button off screen. At desktop and phone widths it now wraps.
    let word = "x".repeat(190);
    browser::send_chat(c, &format!("add {word}")).await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ol[@id='messages']/li[@class='assistant'][contains(., 'xxxxxxxxxx')]",
        ))
        .await
        .unwrap();
    for (width, height, name) in [
        (1366, 768, "long-word-desktop"),
        (390, 844, "long-word-phone"),
    ] {
        c.set_window_size(width, height).await.unwrap();
        let fits = c
            .execute(
                "const send = document.getElementById('chat-send').getBoundingClientRect();\
                 return [document.documentElement.scrollWidth <= window.innerWidth,\
                         send.right <= window.innerWidth && send.left >= 0];",
                vec![],
            )
            .await
            .unwrap();
        std::fs::write(
            shots.join(format!("{name}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        assert_eq!(
            fits,
            json!([true, true]),
            "at {width} px (screenshot {name}.png)"
        );
    }

    // A reload shows the conversation again, and the next message continues it.
    c.set_window_size(1366, 768).await.unwrap();
    c.refresh().await.unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ol[@id='messages']/li[@class='user'][contains(., 'xxxxxxxxxx')]",
        ))
        .await
        .unwrap();
    let shown = c
        .execute(
            "return document.querySelectorAll('#messages li').length;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        shown.as_u64().unwrap_or(0) >= 4,
        "restored messages: {shown}"
    );

    // The session is revoked behind the page's back (as signing out on another device does):
    // the next message says so, and the page no longer shows anyone signed in.
    c.execute_async(
        "const done = arguments[arguments.length - 1];\
         fetch('/api/auth/sign-out', {method: 'POST', headers: {'content-type': 'application/json'}, body: '{}'})\
           .then(r => done(r.status));",
        vec![],
    )
    .await
    .unwrap();
    browser::send_chat(c, "add call the bank").await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//*[@id='banner'][contains(., 'Your session has ended')]",
        ))
        .await
        .unwrap();
    let state = c
        .execute(
            "return [document.getElementById('who').hidden, document.getElementById('auth-view').hidden,\
                     document.getElementById('chat-input').value];",
            vec![],
        )
        .await
        .unwrap();
    std::fs::write(
        shots.join("session-ended.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    assert_eq!(state, json!([true, false, "add call the bank"]));
    b.client.clone().close().await.unwrap();
}
