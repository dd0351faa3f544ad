//! Projects over the file-system stores: create, rename, duplicate, delete, datasets and
//! runs, export and import (round trip, damaged and foreign files), and writers that
//! race or run out of room.

use std::path::PathBuf;

use fornax_core::metrics::Metrics;
use fornax_core::project::{BlobRef, BlobStore, FsStore, MetaStore, Project, ProjectError, Projects, Run, StoreError};
use fornax_core::train::TrainConfig;
use futures_lite::future::block_on;

const WINE: &[u8] = include_bytes!("../../public/demo/wine.csv");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fornax-projects-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn projects(dir: &std::path::Path) -> Projects<FsStore, FsStore> {
    Projects::new(FsStore::new(dir), FsStore::new(dir))
}

fn metrics(accuracy: f64) -> Metrics {
    Metrics::Classification {
        accuracy,
        f1_macro: accuracy,
        precision_macro: accuracy,
        recall_macro: accuracy,
        per_class: Vec::new(),
        confusion: Vec::new(),
        roc_auc: None,
    }
}

fn run(dataset: &BlobRef) -> Run {
    Run {
        id: 0,
        created_ms: 5,
        dataset: dataset.sha256.clone(),
        target: "cultivar".into(),
        config: TrainConfig::default(),
        history: Vec::new(),
        epochs_run: 12,
        seconds: 1.5,
        test: metrics(0.96),
        baseline: metrics(0.93),
        trained_on: "CPU (Flex)".into(),
        bundle: BlobRef { name: "wine.fornax".into(), ..BlobRef::default() },
    }
}

/// A project with the wine dataset and one run whose bundle is `bundle`.
fn filled(p: &Projects<FsStore, FsStore>, id: &str, bundle: &[u8]) -> Project {
    block_on(async {
        p.create(id, "Wine study", 1).await.unwrap();
        let dataset = p.add_dataset(id, "wine.csv", WINE, 2).await.unwrap();
        p.add_run(id, run(&dataset), bundle, 3).await.unwrap();
        p.get(id).await.unwrap()
    })
}

#[test]
fn a_project_keeps_datasets_and_runs_and_can_be_renamed_duplicated_and_deleted() {
    let dir = temp_dir("lifecycle");
    let p = projects(&dir);
    let project = filled(&p, "a1", b"bundle bytes");
    assert_eq!(project.name, "Wine study");
    assert_eq!(project.datasets.len(), 1);
    assert_eq!(project.runs[0].id, 1);
    assert_eq!(project.runs[0].bundle.bytes, 12);
    assert_eq!(project.bytes(), WINE.len() as u64 + 12);
    block_on(async {
        // The same file loaded again is kept once.
        p.add_dataset("a1", "wine again.csv", WINE, 4).await.unwrap();
        assert_eq!(p.get("a1").await.unwrap().datasets.len(), 1);
        let dataset = &project.datasets[0];
        assert_eq!(p.read_blob("a1", dataset).await.unwrap(), WINE);
        let second = p.add_run("a1", run(dataset), b"other", 6).await.unwrap();
        assert_eq!(second.id, 2);

        let renamed = p.rename("a1", "  Wine, final ", 7).await.unwrap();
        assert_eq!(renamed.name, "Wine, final");
        assert_eq!(renamed.updated_ms, 7);
        assert!(matches!(p.rename("a1", " ", 8).await, Err(ProjectError::Invalid(_))));

        let copy = p.duplicate("a1", "b2", 9).await.unwrap();
        assert_eq!(copy.name, "Wine, final (copy)");
        assert_eq!(copy.runs, p.get("a1").await.unwrap().runs);
        assert_eq!(p.read_blob("b2", &copy.runs[1].bundle).await.unwrap(), b"other");
        // Newest first.
        let names: Vec<String> = p.list().await.unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Wine, final (copy)", "Wine, final"]);

        p.delete("a1").await.unwrap();
        assert!(matches!(p.get("a1").await, Err(ProjectError::Missing(_))));
        assert!(!dir.join("blobs/a1").exists());
        // The copy has files of its own.
        assert_eq!(p.read_blob("b2", &copy.datasets[0]).await.unwrap(), WINE);
    });
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn export_then_import_restores_the_same_bytes_and_record() {
    let dir = temp_dir("roundtrip");
    let p = projects(&dir);
    let bundle: Vec<u8> = (0..5000u32).flat_map(|i| (i as f32).sin().to_le_bytes()).collect();
    let original = filled(&p, "a1", &bundle);
    let file = block_on(p.export("a1")).unwrap();
    assert_eq!(&file[..2], b"PK");
    // CSV is deflated inside the file.
    assert!(file.len() < WINE.len() + bundle.len());

    let other = temp_dir("roundtrip-other");
    let q = projects(&other);
    let imported = block_on(q.import(&file, "z9", 100)).unwrap();
    assert_eq!(imported.id, "z9");
    assert_eq!(imported.updated_ms, 100);
    assert_eq!(
        (imported.name.as_str(), &imported.datasets, &imported.runs),
        (original.name.as_str(), &original.datasets, &original.runs)
    );
    block_on(async {
        assert_eq!(q.read_blob("z9", &imported.datasets[0]).await.unwrap(), WINE);
        assert_eq!(q.read_blob("z9", &imported.runs[0].bundle).await.unwrap(), bundle);
    });
    // Exported again, it reads back as the same project.
    let again = block_on(q.export("z9")).unwrap();
    let third = block_on(p.import(&again, "c3", 200)).unwrap();
    assert_eq!((&third.datasets, &third.runs), (&original.datasets, &original.runs));
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(other).unwrap();
}

/// Rewrites one stored file of a project file (same size), keeping the zip valid.
fn tamper(file: &[u8], entry_prefix: &str, change: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(file)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name.starts_with(entry_prefix) {
            change(&mut bytes);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn damaged_or_foreign_project_files_are_refused_and_change_nothing() {
    let dir = temp_dir("damaged");
    let p = projects(&dir);
    filled(&p, "a1", b"bundle bytes");
    let file = block_on(p.export("a1")).unwrap();
    let before = block_on(p.list()).unwrap();
    let flip = |bytes: &mut Vec<u8>| bytes[3] ^= 1;
    let newer = tamper(&file, "manifest.json", |m| {
        let text = String::from_utf8(m.clone()).unwrap().replace("\"format_version\": 1", "\"format_version\": 7");
        *m = text.into_bytes();
    });
    let foreign = tamper(&file, "manifest.json", |m| *m = br#"{"format": "something-else"}"#.to_vec());
    let missing_blob = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut source = zip::ZipArchive::new(std::io::Cursor::new(&file[..])).unwrap();
        let manifest = source.by_name("manifest.json").unwrap();
        zip.raw_copy_file(manifest).unwrap();
        zip.finish().unwrap().into_inner()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "this is not a Fornax project file: it is not a zip archive"),
        ("a CSV", WINE.to_vec(), "this is not a Fornax project file: it is not a zip archive"),
        ("truncated", file[..file.len() / 2].to_vec(), "this is not a Fornax project file: it is not a zip archive"),
        (
            "foreign",
            foreign,
            "this is not a Fornax project file: its manifest.json does not say format \"fornax-project\"",
        ),
        ("newer", newer, "it was written by a newer Fornax (project format 7); this one reads format 1"),
        (
            "tampered dataset",
            tamper(&file, "blobs/", flip),
            "the project file is damaged: wine.csv does not match its checksum",
        ),
        ("missing file", missing_blob, "the project file is damaged: wine.csv is missing from it"),
    ];
    for (what, bytes, expected) in cases {
        let error = block_on(p.import(&bytes, "new", 10)).expect_err(what).to_string();
        assert!(error.starts_with(expected), "{what}: {error}");
    }
    assert_eq!(block_on(p.list()).unwrap(), before);
    assert!(!dir.join("blobs/new").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// The file-system stores, refusing writes once `budget` bytes were written: a disk or
/// browser quota running out part way through.
struct Budget {
    store: FsStore,
    budget: std::cell::Cell<usize>,
}

impl BlobStore for Budget {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let left = self.budget.get();
        if bytes.len() > left {
            return Err(StoreError::QuotaExceeded { needed: bytes.len() as u64, available: left as u64 });
        }
        self.budget.set(left - bytes.len());
        BlobStore::put(&self.store, key, bytes).await
    }
    async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        BlobStore::get(&self.store, key).await
    }
    async fn delete_dir(&self, dir: &str) -> Result<(), StoreError> {
        self.store.delete_dir(dir).await
    }
}

#[test]
fn running_out_of_room_part_way_keeps_everything_that_was_there() {
    let dir = temp_dir("quota");
    let file = {
        let p = projects(&dir);
        filled(&p, "a1", &[7u8; 4000]);
        block_on(p.export("a1")).unwrap()
    };
    // Room for the dataset but not the bundle.
    let p = Projects::new(Budget { store: FsStore::new(&dir), budget: (WINE.len() + 100).into() }, FsStore::new(&dir));
    let before = block_on(p.list()).unwrap();
    let error = block_on(p.import(&file, "b2", 5)).unwrap_err();
    assert!(error.to_string().starts_with("not enough storage in this browser: 4000 bytes are needed"), "{error}");
    assert_eq!(block_on(p.list()).unwrap(), before);
    assert!(!dir.join("blobs/b2").exists(), "the part written was removed");
    // A run whose bundle does not fit is not recorded; the project is as it was.
    let dataset = before[0].datasets[0].clone();
    assert!(block_on(p.add_run("a1", run(&dataset), &[1u8; 9000], 6)).is_err());
    assert_eq!(block_on(p.get("a1")).unwrap(), before[0]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn two_writers_never_lose_each_others_changes() {
    let dir = temp_dir("writers");
    let (tab_a, tab_b) = (projects(&dir), projects(&dir));
    let dataset = block_on(async {
        tab_a.create("a1", "Shared", 1).await.unwrap();
        tab_a.add_dataset("a1", "wine.csv", WINE, 2).await.unwrap()
    });
    // A writer holding an old revision is refused rather than overwriting.
    let meta = FsStore::new(&dir);
    let (revision, json) = block_on(MetaStore::get(&meta, "project-a1")).unwrap().unwrap();
    block_on(tab_b.rename("a1", "Renamed in tab B", 3)).unwrap();
    assert_eq!(
        block_on(MetaStore::put(&meta, "project-a1", revision, &json)),
        Err(StoreError::Conflict("project-a1".into()))
    );
    // Changes through Projects re-apply on the newest record: both runs and the rename stay.
    block_on(tab_a.add_run("a1", run(&dataset), b"from a", 4)).unwrap();
    block_on(tab_b.add_run("a1", run(&dataset), b"from b", 5)).unwrap();
    let project = block_on(tab_a.get("a1")).unwrap();
    assert_eq!(project.name, "Renamed in tab B");
    assert_eq!(project.runs.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2]);
    assert!(matches!(block_on(tab_a.create("a1", "Again", 6)), Err(ProjectError::Invalid(_))));
    std::fs::remove_dir_all(dir).unwrap();
}
