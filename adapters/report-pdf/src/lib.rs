//! The monthly report as a PDF (issue #15): a [`Renderer`] that compiles a Typst document in
//! process, so the PDF is built wherever the report is (the local server, the `report-build` and
//! `jobs` Lambdas) with no browser, no network and no system font.
//!
//! Why it is shaped so:
//! - **Data, not markup.** The snapshot is turned into a view model ([`model`]: every figure
//!   already formatted like the HTML's) and handed to a fixed template (`report.typ`) as a virtual
//!   `data.json` that the template reads with `json(...)`. No customer name, service name or
//!   summary is ever spliced into Typst source, so nothing they contain (`#import`, `$`, `*`, `]`,
//!   `<script>`) can be read as markup: it is text.
//! - **The summary's markdown** is parsed by pulldown-cmark into a small tree of nodes
//!   ([`markdown`]) that the template draws (headings, lists, emphasis, links, code, tables);
//!   raw HTML in it comes out as the literal text, images as their alt text, and only
//!   `http`, `https` and `mailto` links are links.
//! - **Charts are the HTML's**: the same SVG documents ([`cc_domain::reports::html::daily_chart_svg`],
//!   [`cc_domain::reports::html::months_chart_svg`]) placed as images, so the two outputs cannot
//!   draw different bars.
//! - **Fonts are embedded** (`fonts/`, Libertinus Serif under the SIL OFL 1.1 and DejaVu Sans Mono
//!   under the Bitstream Vera licence, see the licence files there): about 1.6 MB, instead of the
//!   ~10 MB of every font `typst-assets` ships.
//! - **Deterministic**: the document's date is the build's ([`BuildInfo::built_at`]), its PDF
//!   identifier is derived from customer, month and version; the renderer reads no clock, so the
//!   same snapshot and build info give the same bytes.

use std::sync::{Arc, LazyLock};

use anyhow::Context as _;
use cc_domain::reports::ports::Renderer;
use cc_domain::reports::{BuildInfo, Snapshot};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt as _, World};
use typst_layout::PagedDocument;

pub mod markdown;
pub mod model;

/// The template (Typst markup; reads `data.json`).
const TEMPLATE: &str = include_str!("report.typ");

/// The embedded fonts: the template's text face and the monospace face for ids and code.
const FONTS: [&[u8]; 5] = [
    include_bytes!("../fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../fonts/LibertinusSerif-BoldItalic.otf"),
    include_bytes!("../fonts/DejaVuSansMono.ttf"),
];

/// The PDF renderer (`format=pdf`, `application/pdf`). Cheap to create and to clone: the standard
/// library and the fonts are loaded once per process and shared.
#[derive(Clone, Copy, Debug, Default)]
pub struct PdfRenderer;

impl Renderer for PdfRenderer {
    fn format(&self) -> &'static str {
        "pdf"
    }

    fn content_type(&self) -> &'static str {
        "application/pdf"
    }

    fn render(&self, snapshot: &Snapshot, build: &BuildInfo) -> anyhow::Result<Vec<u8>> {
        render(snapshot, build)
    }
}

/// `snapshot` as a PDF (A4). Errors: the template failed to compile or lay out (a bug here, never
/// the data's fault: the message carries Typst's diagnostics).
pub fn render(snapshot: &Snapshot, build: &BuildInfo) -> anyhow::Result<Vec<u8>> {
    let data = serde_json::to_vec(&model::view(snapshot, build)).context("serialising the report's data")?;
    let world = ReportWorld::new(Bytes::new(data));
    let document = match typst::compile::<PagedDocument>(&world).output {
        Ok(document) => document,
        Err(errors) => return Err(diagnostics("compiling the report's PDF", &errors)),
    };
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!(
            "customer-central/{}/{}/v{}",
            snapshot.customer.code, snapshot.month, build.version
        )),
        creator: Smart::Custom(Some("Customer Central".into())),
        ..Default::default()
    };
    let pdf = match typst_pdf::pdf(&document, &options) {
        Ok(pdf) => pdf,
        Err(errors) => return Err(diagnostics("writing the PDF", &errors)),
    };
    // Typst memoises layout across compilations; keep only what the next report can reuse (the
    // parsed template), so a long-lived process (the local server, 100 reports in one run) does not
    // grow with every report.
    typst::comemo::evict(1);
    Ok(pdf)
}

fn diagnostics(what: &str, errors: &[SourceDiagnostic]) -> anyhow::Error {
    let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
    anyhow::anyhow!("{what}: {}", messages.join("; "))
}

/// What every compilation shares: the standard library, the font book and the fonts.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    data: FileId,
    template: Source,
}

static SHARED: LazyLock<Arc<Shared>> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS.iter().flat_map(|f| Font::iter(Bytes::new(*f))).collect();
    let file = |p: &str| {
        FileId::new(RootedPath::new(
            VirtualRoot::Project,
            VirtualPath::new(p).expect("a constant path"),
        ))
    };
    let main = file("/report.typ");
    Arc::new(Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main,
        data: file("/data.json"),
        template: Source::new(main, TEMPLATE.to_string()),
    })
});

/// One report's compilation: the template and its `data.json`, nothing else (no other file, no
/// package, no clock).
struct ReportWorld {
    shared: Arc<Shared>,
    data: Bytes,
}

impl ReportWorld {
    fn new(data: Bytes) -> Self {
        ReportWorld {
            shared: SHARED.clone(),
            data,
        }
    }

    fn not_found(id: FileId) -> FileError {
        FileError::NotFound(id.get().vpath().get_without_slash().into())
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.shared.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main {
            Ok(self.shared.template.clone())
        } else {
            Err(Self::not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.data {
            Ok(self.data.clone())
        } else if id == self.shared.main {
            Ok(Bytes::from_string(self.shared.template.clone()))
        } else {
            Err(Self::not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    /// No clock: `datetime.today()` is an error in the template (its date comes from the data).
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}
