//! Each job's record on disk, `ID.json` in the jobs directory, rewritten atomically when
//! the job is queued, starts and ends. A server killed mid-job (SIGKILL, a crash, a power
//! cut) finds that job still "running" when it starts again, and reports it as failed
//! with why, instead of forgetting it or calling it running forever.

use std::path::{Path, PathBuf};

use fornax_wire::http::{JobInfo, JobState};

pub struct JobJournal {
    dir: PathBuf,
}

impl JobJournal {
    pub fn new(dir: &Path) -> Self {
        JobJournal { dir: dir.to_path_buf() }
    }

    /// Records the job as it is now. A failure to write is logged, not fatal: the job
    /// runs on and its state is still served from memory.
    pub fn record(&self, info: &JobInfo) {
        let bytes = serde_json::to_vec_pretty(info).expect("job records serialize");
        if let Err(e) = crate::atomic_file::write(&self.dir.join(format!("{}.json", info.id)), &bytes) {
            tracing::warn!(job = %info.id, error = %e, "the job's record could not be written");
        }
    }

    /// Every recorded job, oldest first. Those a previous process left queued or running
    /// are marked failed (and recorded so) at `now_ms`; unreadable records are skipped.
    pub fn recover(&self, now_ms: u64) -> Vec<JobInfo> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut jobs = Vec::new();
        for path in entries.flatten().map(|e| e.path()) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if crate::atomic_file::is_temporary(name) {
                // Left by a process killed while it wrote: the record it replaced is intact.
                let _ = std::fs::remove_file(&path);
                continue;
            }
            if !name.ends_with(".json") {
                continue;
            }
            let info = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| serde_json::from_slice::<JobInfo>(&bytes).map_err(|e| e.to_string()));
            let mut info = match info {
                Ok(info) => info,
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "skipping an unreadable job record");
                    continue;
                }
            };
            if matches!(info.state, JobState::Queued | JobState::Running) {
                info.error = Some(format!(
                    "the server stopped (killed or crashed) while this job was {}; nothing it made was \
                     registered: submit it again",
                    info.state.name()
                ));
                info.state = JobState::Failed;
                info.finished_ms = Some(now_ms);
                self.record(&info);
            }
            jobs.push(info);
        }
        jobs.sort_by_key(|i| i.created_ms);
        jobs
    }
}
