//! The chat web UI end to end in headless Chromium, driven over WebDriver from Rust:
//! sign up, add a task by chat, see it, complete it, delete it; a screenshot is kept under
//! `target/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Engine, FRONTEND, Process, TestDb, backend, free_port, http};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_chromedriver() -> (Driver, String) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromedriver must be installed (Debian package chromium-driver; .ci/run installs it)",
        );
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(r) = http().get(format!("{url}/status")).send().await
            && r.status().is_success()
        {
            return (driver, url);
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("..")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

#[tokio::test]
async fn sign_up_add_complete_delete_in_chromium() {
    let db = TestDb::new(Engine::Postgres).await;
    let be = backend(&db, &[]).await;
    let mut fe = Process::spawn(FRONTEND, &[("BACKEND_URL", &be.url)]);
    fe.wait_ready("/health", WAIT).await;
    let (_driver, driver_url) = start_chromedriver().await;
    let profile = common::scratch_dir().join(format!("chrome-profile-{}", free_port()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1200,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver_url)
        .await
        .expect("WebDriver session with headless Chromium");

    c.goto(&fe.url).await.unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#auth-view:not([hidden])"))
        .await
        .unwrap();
    c.find(Locator::Id("auth-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Grace")
        .await
        .unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys("grace@example.com")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("compiler-1952")
        .await
        .unwrap();
    c.find(Locator::Id("auth-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#app-view:not([hidden])"))
        .await
        .unwrap();
    let who = c
        .find(Locator::Id("who-email"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(who, "grace@example.com");
    // Regression: `main { display: flex }` once kept the hidden sign-in form on screen.
    let form = c.find(Locator::Id("auth-form")).await.unwrap();
    assert!(
        !form.is_displayed().await.unwrap(),
        "sign-in form still shown after sign-up"
    );

    // Chat: "add buy milk" → the reply and the task list update.
    let input = c.find(Locator::Id("chat-input")).await.unwrap();
    input.send_keys("add buy milk").await.unwrap();
    c.find(Locator::Id("chat-send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let item = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ul[@id='task-list']/li[contains(., 'buy milk')]",
        ))
        .await
        .unwrap();
    let reply = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ol[@id='messages']/li[@class='assistant'][contains(., 'Added task')]",
        ))
        .await
        .unwrap();
    assert!(reply.text().await.unwrap().contains("buy milk"));
    std::fs::write(
        screenshot_dir().join("chat-task-added.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // Complete it with its checkbox.
    item.find(Locator::Css("input[type=checkbox]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ul[@id='task-list']/li[@class='done'][contains(., 'buy milk')]",
        ))
        .await
        .unwrap();
    let u = db.pool().await;
    let completed: i64 = sqlx::query_scalar("SELECT completed FROM tasks")
        .fetch_one(&u)
        .await
        .unwrap();
    assert_eq!(completed, 1);

    // Delete it.
    c.find(Locator::Css("#task-list li button.delete"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#task-empty:not([hidden])"))
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(&u)
        .await
        .unwrap();
    assert_eq!(left, 0);

    // Phone width: nothing overflows sideways and the task list stacks under the chat.
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
    std::fs::write(
        screenshot_dir().join("chat-phone.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.close().await.unwrap();
}
