//! Builds the IPADIC system dictionary the way `lindera-ipadic`'s build script
//! would, but from a local source folder, so that no host but the package
//! registries is needed.
//!
//! Usage: ipadic-builder <SOURCE_DIR> <CACHE_DIR> <METADATA_JSON> <IPADIC_VERSION>
//!
//! Writes `<CACHE_DIR>/<IPADIC_VERSION>-fmt<FORMAT>/lindera-ipadic/`.

use std::path::PathBuf;
use std::process::ExitCode;

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::{DICTIONARY_FORMAT_VERSION, Metadata};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source, cache, metadata_path, version] = args.as_slice() else {
        eprintln!("usage: ipadic-builder <SOURCE_DIR> <CACHE_DIR> <METADATA_JSON> <IPADIC_VERSION>");
        return ExitCode::from(2);
    };
    match build(source, cache, metadata_path, version) {
        Ok(out) => {
            println!("{}", out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("ipadic-builder: {err}");
            ExitCode::FAILURE
        }
    }
}

fn build(
    source: &str,
    cache: &str,
    metadata_path: &str,
    version: &str,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let json = std::fs::read_to_string(metadata_path)
        .map_err(|e| format!("{metadata_path}: {e}"))?;
    let metadata: Metadata = serde_json::from_str(&json)?;
    let root = PathBuf::from(cache).join(format!("{version}-fmt{DICTIONARY_FORMAT_VERSION}"));
    std::fs::create_dir_all(&root)?;
    let tmp = root.join("tmp-output-lindera-ipadic");
    let out = root.join("lindera-ipadic");
    let _ = std::fs::remove_dir_all(&tmp);
    DictionaryBuilder::new(metadata)
        .build_dictionary(PathBuf::from(source).as_path(), &tmp)
        .map_err(|e| format!("building from {source}: {e}"))?;
    let _ = std::fs::remove_dir_all(&out);
    std::fs::rename(&tmp, &out)?;
    Ok(out)
}
