//! What a user does with projects, over any pair of stores. Files are stored before
//! the record that refers to them, and the record is written with its revision, so a
//! failed write or a second tab never leaves a record pointing at missing bytes or
//! silently drops another writer's change.

use std::collections::HashMap;

use super::record::{check_name, sha256_hex, valid_id};
use super::store::{BlobStore, MetaStore, StoreError};
use super::{BlobRef, Project, ProjectError, Run, archive};

const PREFIX: &str = "project-";
/// Times a change is re-applied on a newer record after another writer got in first.
const RETRIES: usize = 8;

/// The user's projects: files in a [`BlobStore`] (under `ID/SHA256`), records in a
/// [`MetaStore`] (under `project-ID`).
pub struct Projects<B, M> {
    blobs: B,
    meta: M,
}

fn key(id: &str) -> String {
    format!("{PREFIX}{id}")
}

fn blob_key(id: &str, sha256: &str) -> String {
    format!("{id}/{sha256}")
}

fn parse(json: &str) -> Result<Project, ProjectError> {
    serde_json::from_str(json)
        .map_err(|e| ProjectError::Damaged(format!("the stored project record cannot be read ({e})")))
}

impl<B: BlobStore, M: MetaStore> Projects<B, M> {
    /// Projects kept in `blobs` and `meta`.
    pub fn new(blobs: B, meta: M) -> Self {
        Projects { blobs, meta }
    }

    /// Every project, most recently changed first. Records that cannot be read are
    /// left in place and not listed.
    pub async fn list(&self) -> Result<Vec<Project>, ProjectError> {
        let mut projects: Vec<Project> =
            self.meta.list(PREFIX).await?.into_iter().filter_map(|(_, _, json)| parse(&json).ok()).collect();
        projects.sort_by(|a, b| b.updated_ms.cmp(&a.updated_ms).then_with(|| a.name.cmp(&b.name)));
        Ok(projects)
    }

    /// The project `id`'s record; [`ProjectError::Missing`] when there is none.
    pub async fn get(&self, id: &str) -> Result<Project, ProjectError> {
        match self.meta.get(&key(id)).await? {
            Some((_, json)) => parse(&json),
            None => Err(ProjectError::Missing(id.to_string())),
        }
    }

    /// Stores a new, empty project named `name` (trimmed); refuses an `id` already taken.
    pub async fn create(&self, id: &str, name: &str, now_ms: u64) -> Result<Project, ProjectError> {
        let project = Project {
            id: id.to_string(),
            name: name.trim().to_string(),
            created_ms: now_ms,
            updated_ms: now_ms,
            datasets: Vec::new(),
            runs: Vec::new(),
        };
        project.validate()?;
        self.insert(&project).await?;
        Ok(project)
    }

    /// Renames the project to `name` (trimmed); returns the record as written.
    pub async fn rename(&self, id: &str, name: &str, now_ms: u64) -> Result<Project, ProjectError> {
        check_name("project name", name)?;
        self.update(id, now_ms, |p| {
            p.name = name.trim().to_string();
            Ok(())
        })
        .await
    }

    /// Removes the record first (the project is gone at once), then its files.
    pub async fn delete(&self, id: &str) -> Result<(), ProjectError> {
        if !valid_id(id) {
            return Err(ProjectError::Missing(id.to_string()));
        }
        self.meta.delete(&key(id)).await?;
        self.blobs.delete_dir(id).await?;
        Ok(())
    }

    /// A copy under `new_id` named "NAME (copy)", with copies of its files.
    pub async fn duplicate(&self, id: &str, new_id: &str, now_ms: u64) -> Result<Project, ProjectError> {
        let source = self.get(id).await?;
        let mut copy = source.clone();
        copy.id = new_id.to_string();
        copy.name = copy_name(&source.name);
        copy.created_ms = now_ms;
        copy.updated_ms = now_ms;
        copy.validate()?;
        for blob in source.blobs() {
            let bytes = self.read_blob(id, blob).await?;
            self.blobs.put(&blob_key(new_id, &blob.sha256), &bytes).await?;
        }
        self.insert(&copy).await?;
        Ok(copy)
    }

    /// Keeps a dataset's bytes in the project (once, however often it is loaded).
    pub async fn add_dataset(&self, id: &str, name: &str, bytes: &[u8], now_ms: u64) -> Result<BlobRef, ProjectError> {
        check_name("file name", name)?;
        let blob = BlobRef { name: name.trim().to_string(), sha256: sha256_hex(bytes), bytes: bytes.len() as u64 };
        let project = self.get(id).await?;
        if project.dataset(&blob.sha256).is_some() {
            return Ok(blob);
        }
        self.blobs.put(&blob_key(id, &blob.sha256), bytes).await?;
        self.update(id, now_ms, |p| {
            if p.dataset(&blob.sha256).is_none() {
                p.datasets.push(blob.clone());
            }
            Ok(())
        })
        .await?;
        Ok(blob)
    }

    /// Records a finished run with its bundle; its number and bundle reference are set
    /// here. Its dataset must already be in the project.
    pub async fn add_run(&self, id: &str, mut run: Run, bundle: &[u8], now_ms: u64) -> Result<Run, ProjectError> {
        run.bundle.sha256 = sha256_hex(bundle);
        run.bundle.bytes = bundle.len() as u64;
        check_name("file name", &run.bundle.name)?;
        self.blobs.put(&blob_key(id, &run.bundle.sha256), bundle).await?;
        let project = self
            .update(id, now_ms, |p| {
                if p.dataset(&run.dataset).is_none() {
                    return Err(ProjectError::Invalid("the run's dataset is not in the project".into()));
                }
                run.id = p.runs.iter().map(|r| r.id).max().unwrap_or(0) + 1;
                p.runs.push(run.clone());
                Ok(())
            })
            .await?;
        // The record as written: the run is its last, numbered as it was there.
        Ok(project.runs.last().cloned().expect("the update pushed the run"))
    }

    /// Removes run number `run` from the record, if it is there; returns the record as
    /// written. Its bundle's bytes stay in the store until the project is deleted.
    pub async fn delete_run(&self, id: &str, run: u32, now_ms: u64) -> Result<Project, ProjectError> {
        self.update(id, now_ms, |p| {
            p.runs.retain(|r| r.id != run);
            Ok(())
        })
        .await
    }

    /// A stored file's bytes, checked against their SHA-256.
    pub async fn read_blob(&self, id: &str, blob: &BlobRef) -> Result<Vec<u8>, ProjectError> {
        let bytes = self.blobs.get(&blob_key(id, &blob.sha256)).await.map_err(|e| match e {
            StoreError::NotFound(_) => {
                ProjectError::Damaged(format!("{} is missing from this browser's storage", blob.name))
            }
            e => ProjectError::Store(e),
        })?;
        if sha256_hex(&bytes) != blob.sha256 {
            return Err(ProjectError::Damaged(format!("{} was damaged in storage (its checksum differs)", blob.name)));
        }
        Ok(bytes)
    }

    /// The project as one `.fornax-project` file.
    pub async fn export(&self, id: &str) -> Result<Vec<u8>, ProjectError> {
        let project = self.get(id).await?;
        let mut blobs = HashMap::new();
        for blob in project.blobs() {
            blobs.insert(blob.sha256.clone(), self.read_blob(id, blob).await?);
        }
        archive::write(&project, &blobs)
    }

    /// Adds the project in a `.fornax-project` file under `new_id`. Everything is
    /// checked before anything is written, and the record comes last: a file that fails
    /// changes nothing the user sees.
    pub async fn import(&self, bytes: &[u8], new_id: &str, now_ms: u64) -> Result<Project, ProjectError> {
        let (mut project, blobs) = archive::read(bytes)?;
        project.id = new_id.to_string();
        project.updated_ms = now_ms;
        project.validate()?;
        // In the record's order (datasets first), so what a failure leaves to undo is predictable.
        for blob in project.blobs() {
            let bytes = &blobs[&blob.sha256];
            if let Err(e) = self.blobs.put(&blob_key(new_id, &blob.sha256), bytes).await {
                let _ = self.blobs.delete_dir(new_id).await;
                return Err(e.into());
            }
        }
        if let Err(e) = self.insert(&project).await {
            let _ = self.blobs.delete_dir(new_id).await;
            return Err(e);
        }
        Ok(project)
    }

    async fn insert(&self, project: &Project) -> Result<(), ProjectError> {
        let json = serde_json::to_string(project).expect("projects serialize");
        match self.meta.put(&key(&project.id), 0, &json).await {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict(_)) => {
                Err(ProjectError::Invalid(format!("a project with id {} exists", project.id)))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Applies `change` to the newest record and writes it if nobody wrote in between;
    /// otherwise applies it again to what the other writer left.
    async fn update(
        &self,
        id: &str,
        now_ms: u64,
        mut change: impl FnMut(&mut Project) -> Result<(), ProjectError>,
    ) -> Result<Project, ProjectError> {
        for _ in 0..RETRIES {
            let Some((revision, json)) = self.meta.get(&key(id)).await? else {
                return Err(ProjectError::Missing(id.to_string()));
            };
            let mut project = parse(&json)?;
            change(&mut project)?;
            project.updated_ms = now_ms.max(project.updated_ms);
            project.validate()?;
            let json = serde_json::to_string(&project).expect("projects serialize");
            match self.meta.put(&key(id), revision, &json).await {
                Ok(_) => return Ok(project),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict(format!("project {id}")).into())
    }
}

fn copy_name(name: &str) -> String {
    let copy = format!("{name} (copy)");
    if copy.chars().count() <= super::record::MAX_NAME_CHARS { copy } else { name.to_string() }
}
