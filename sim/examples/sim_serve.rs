//! Serves kubesim until Ctrl-C and writes its kubeconfig to the path given (default
//! `./kubesim.kubeconfig`).

use kubesim::server::{RunningSim, SimConfig};

#[tokio::main]
async fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "kubesim.kubeconfig".into());
    let sim = match RunningSim::start(SimConfig::default()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sim_serve: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = sim.write_kubeconfig(path.as_ref()) {
        eprintln!("sim_serve: {e}");
        std::process::exit(1);
    }
    println!("kubesim on {} — export KUBECONFIG={path}", sim.url());
    let _ = tokio::signal::ctrl_c().await;
    sim.stop().await;
}
