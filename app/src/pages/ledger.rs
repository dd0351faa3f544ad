//! What left this device: the network ledger, for the user to check.

use leptos::prelude::*;

use super::size;
use crate::ledger;

#[component]
pub fn NetworkLedger() -> impl IntoView {
    // Bumped by every new entry.
    let changes = RwSignal::new(0u32);
    ledger::on_change(move || changes.update(|n| *n += 1));
    let entries = move || {
        changes.track();
        ledger::entries()
    };
    let summary = move || {
        let entries = entries();
        if entries.is_empty() {
            return "Nothing has left this device.".to_string();
        }
        let (up, down): (usize, usize) = entries.iter().fold((0, 0), |(u, d), e| (u + e.up, d + e.down));
        format!(
            "{} request{} left this device: {} sent, {} received.",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            size(up),
            size(down)
        )
    };
    view! {
        <details class="card ledger" data-testid="network-ledger">
            <summary><span data-testid="ledger-summary">{summary}</span>" (network ledger: every request beyond the studio's own files, kept in this browser)"</summary>
            <table>
                <thead><tr><th>"Time"</th><th>"Why"</th><th>"Request"</th><th>"Sent"</th><th>"Received"</th><th>"Outcome"</th></tr></thead>
                <tbody>
                    {move || entries().into_iter().map(|e| view! {
                        <tr><td>{e.when()}</td><td>{e.why}</td><td><code>{format!("{} {}", e.method, e.url)}</code></td>
                            <td class="num">{size(e.up)}</td><td class="num">{size(e.down)}</td><td>{e.outcome}</td></tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </details>
    }
}
