//! `/metrics` in Prometheus' text format: requests and their latency per route, model
//! and status; batch sizes; prediction-cache hits; queue depths (read when scraped).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Seconds: from a cache hit to a slow upload.
const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Rows per forward pass.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0];

/// Values read when `/metrics` is scraped.
#[derive(Default)]
pub struct Gauges {
    /// (model, version, requests waiting).
    pub queues: Vec<(String, u32, usize)>,
    /// Predictions the log could not keep up with (`None`: no log).
    pub log_dropped: Option<u64>,
    /// Jobs per state.
    pub jobs: BTreeMap<&'static str, usize>,
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// route -> model -> (status -> count, latency). Nested, so a request looks its
    /// counters up by `&str` without allocating.
    requests: BTreeMap<String, BTreeMap<String, RouteModel>>,
    /// model -> rows per forward pass.
    batch_rows: BTreeMap<String, Histogram>,
    /// model -> (hits, misses), counted per row.
    cache: BTreeMap<String, (u64, u64)>,
}

struct RouteModel {
    statuses: BTreeMap<u16, u64>,
    latency: Histogram,
}

struct Histogram {
    bounds: &'static [f64],
    /// Per bucket, not cumulative (summed when written).
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram { bounds, counts: vec![0; bounds.len()], sum: 0.0, count: 0 }
    }

    fn observe(&mut self, value: f64) {
        if let Some(i) = self.bounds.iter().position(|&b| value <= b) {
            self.counts[i] += 1;
        }
        self.sum += value;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count;
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// A label value, escaped as the text format requires.
fn quote(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn observe_request(&self, route: &str, model: &str, status: u16, took: Duration) {
        let mut inner = self.lock();
        if !inner.requests.contains_key(route) {
            inner.requests.insert(route.to_string(), BTreeMap::new());
        }
        let models = inner.requests.get_mut(route).expect("inserted above");
        if !models.contains_key(model) {
            let fresh = RouteModel { statuses: BTreeMap::new(), latency: Histogram::new(LATENCY_BUCKETS) };
            models.insert(model.to_string(), fresh);
        }
        let counters = models.get_mut(model).expect("inserted above");
        *counters.statuses.entry(status).or_default() += 1;
        counters.latency.observe(took.as_secs_f64());
    }

    pub fn observe_batch(&self, model: &str, rows: usize) {
        self.lock()
            .batch_rows
            .entry(model.into())
            .or_insert_with(|| Histogram::new(BATCH_BUCKETS))
            .observe(rows as f64);
    }

    pub fn observe_cache(&self, model: &str, hits: usize, misses: usize) {
        let mut inner = self.lock();
        let entry = inner.cache.entry(model.into()).or_default();
        entry.0 += hits as u64;
        entry.1 += misses as u64;
    }

    /// The text format.
    pub fn render(&self, gauges: &Gauges) -> String {
        let inner = self.lock();
        let mut out = String::new();
        out.push_str("# HELP fornax_http_requests_total HTTP requests answered, by route, model and status.\n");
        out.push_str("# TYPE fornax_http_requests_total counter\n");
        let by_route_model =
            || inner.requests.iter().flat_map(|(r, models)| models.iter().map(move |(m, c)| (r, m, c)));
        for (route, model, counters) in by_route_model() {
            for (status, count) in &counters.statuses {
                let _ = writeln!(
                    out,
                    "fornax_http_requests_total{{route=\"{}\",model=\"{}\",status=\"{status}\"}} {count}",
                    quote(route),
                    quote(model)
                );
            }
        }
        out.push_str("# HELP fornax_http_request_duration_seconds Time to answer, by route and model.\n");
        out.push_str("# TYPE fornax_http_request_duration_seconds histogram\n");
        for (route, model, counters) in by_route_model() {
            let labels = format!("route=\"{}\",model=\"{}\"", quote(route), quote(model));
            counters.latency.write(&mut out, "fornax_http_request_duration_seconds", &labels);
        }
        out.push_str("# HELP fornax_predict_batch_rows Rows per forward pass (micro-batches).\n");
        out.push_str("# TYPE fornax_predict_batch_rows histogram\n");
        for (model, histogram) in &inner.batch_rows {
            histogram.write(&mut out, "fornax_predict_batch_rows", &format!("model=\"{}\"", quote(model)));
        }
        out.push_str("# HELP fornax_prediction_cache_hits_total Rows answered from the prediction cache.\n");
        out.push_str("# TYPE fornax_prediction_cache_hits_total counter\n");
        for (model, (hits, _)) in &inner.cache {
            let _ = writeln!(out, "fornax_prediction_cache_hits_total{{model=\"{}\"}} {hits}", quote(model));
        }
        out.push_str("# HELP fornax_prediction_cache_misses_total Rows the model had to compute.\n");
        out.push_str("# TYPE fornax_prediction_cache_misses_total counter\n");
        for (model, (_, misses)) in &inner.cache {
            let _ = writeln!(out, "fornax_prediction_cache_misses_total{{model=\"{}\"}} {misses}", quote(model));
        }
        out.push_str("# HELP fornax_predict_queue_depth Requests waiting for a forward pass.\n");
        out.push_str("# TYPE fornax_predict_queue_depth gauge\n");
        for (model, version, depth) in &gauges.queues {
            let _ =
                writeln!(out, "fornax_predict_queue_depth{{model=\"{}\",version=\"{version}\"}} {depth}", quote(model));
        }
        out.push_str("# HELP fornax_jobs Training jobs by state.\n");
        out.push_str("# TYPE fornax_jobs gauge\n");
        for (state, count) in &gauges.jobs {
            let _ = writeln!(out, "fornax_jobs{{state=\"{state}\"}} {count}");
        }
        if let Some(dropped) = gauges.log_dropped {
            out.push_str(
                "# HELP fornax_prediction_log_dropped_total Predictions not logged: the disk could not keep up.\n",
            );
            out.push_str("# TYPE fornax_prediction_log_dropped_total counter\n");
            let _ = writeln!(out, "fornax_prediction_log_dropped_total {dropped}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_labels_escaped() {
        let metrics = Metrics::default();
        metrics.observe_batch("a\"b", 3);
        metrics.observe_batch("a\"b", 100);
        let text = metrics.render(&Gauges::default());
        assert!(text.contains("fornax_predict_batch_rows_bucket{model=\"a\\\"b\",le=\"4\"} 1\n"), "{text}");
        assert!(text.contains("fornax_predict_batch_rows_bucket{model=\"a\\\"b\",le=\"128\"} 2\n"), "{text}");
        assert!(text.contains("fornax_predict_batch_rows_count{model=\"a\\\"b\"} 2\n"), "{text}");
        assert!(text.contains("fornax_predict_batch_rows_sum{model=\"a\\\"b\"} 103\n"), "{text}");
    }
}
