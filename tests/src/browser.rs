//! Headless Chromium over WebDriver (chromedriver + fantoccini), and the chat UI flow every
//! browser test runs: sign up, "add buy milk" in the chat, see it, complete it, delete it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test support: failures must be loud.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long any page condition may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// A chromedriver process and a WebDriver session on headless Chromium; both end on drop.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts chromedriver and a headless Chromium session with a fresh profile.
pub async fn start(profile_dir: PathBuf) -> Browser {
    let port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (Debian package chromium-driver; scripts/setup installs it)");
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest_free_status_check(&url);
    let deadline = Instant::now() + WAIT;
    while !http().await {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1200,900",
                format!("--user-data-dir={}", profile_dir.display()),
            ],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("WebDriver session with headless Chromium");
    Browser { client, driver }
}

/// A `/status` check of chromedriver over a plain TCP HTTP request.
fn reqwest_free_status_check(
    base: &str,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> {
    let addr = base.trim_start_matches("http://").to_string();
    move || {
        let addr = addr.clone();
        Box::pin(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
                return false;
            };
            if s.write_all(
                format!("GET /status HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .is_err()
            {
                return false;
            }
            let mut buf = [0u8; 16];
            matches!(s.read(&mut buf).await, Ok(n) if n > 12 && buf.starts_with(b"HTTP/1.1 200"))
        })
    }
}

/// The folder for screenshots: `target/screenshots/`.
pub fn screenshot_dir(target_tmpdir: &str) -> PathBuf {
    let dir = PathBuf::from(target_tmpdir).join("..").join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn click(c: &Client, at: Locator<'_>) {
    c.find(at).await.unwrap().click().await.unwrap();
}

async fn type_into(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Types `text` into the chat box and presses Send.
pub async fn send_chat(c: &Client, text: &str) {
    type_into(c, "chat-input", text).await;
    click(c, Locator::Id("chat-send")).await;
}

async fn wait_for(c: &Client, at: Locator<'_>) -> fantoccini::elements::Element {
    c.wait().at_most(WAIT).for_element(at).await.unwrap()
}

/// Signs up `email` on the UI at `url`, adds "buy milk" through the chat and checks it in the
/// task list, completes it, deletes it; saves `<name>-*.png` screenshots in `shots`.
pub async fn todo_flow(c: &Client, url: &str, email: &str, shots: &std::path::Path, name: &str) {
    c.goto(url).await.unwrap();
    wait_for(c, Locator::Css("#auth-view:not([hidden])")).await;
    click(c, Locator::Id("auth-toggle")).await;
    type_into(c, "name", "Grace").await;
    type_into(c, "email", email).await;
    type_into(c, "password", "compiler-1952").await;
    click(c, Locator::Id("auth-submit")).await;
    wait_for(c, Locator::Css("#app-view:not([hidden])")).await;
    assert_eq!(
        c.find(Locator::Id("who-email"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        email
    );
    // Regression: `main { display: flex }` once kept the hidden sign-in form on screen.
    let form = c.find(Locator::Id("auth-form")).await.unwrap();
    assert!(
        !form.is_displayed().await.unwrap(),
        "sign-in form still shown after sign-up"
    );

    send_chat(c, "add buy milk").await;
    let item = wait_for(
        c,
        Locator::XPath("//ul[@id='task-list']/li[contains(., 'buy milk')]"),
    )
    .await;
    let reply = wait_for(
        c,
        Locator::XPath("//ol[@id='messages']/li[@class='assistant'][contains(., 'Added task')]"),
    )
    .await;
    assert!(reply.text().await.unwrap().contains("buy milk"));
    std::fs::write(
        shots.join(format!("{name}-task-added.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    item.find(Locator::Css("input[type=checkbox]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        c,
        Locator::XPath("//ul[@id='task-list']/li[@class='done'][contains(., 'buy milk')]"),
    )
    .await;
    click(c, Locator::Css("#task-list li button.delete")).await;
    wait_for(c, Locator::Css("#task-empty:not([hidden])")).await;
}
