//! The HTML writer. Every value from the package goes through [`Html::text`] (escaped); only
//! `&'static str` — this crate's own markup and wording — can be written unescaped, so a value
//! can never become markup.

/// Appends `s` to `out` with `&`, `<`, `>`, `"` and `'` escaped, so it is inert in text and in
/// quoted attribute values; NUL and other C0 controls but tab and newline (which HTML refuses or
/// reads oddly) become U+FFFD.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// A page being written.
pub struct Html {
    out: String,
}

impl Html {
    pub fn new(capacity: usize) -> Html {
        Html {
            out: String::with_capacity(capacity),
        }
    }

    /// The crate's own markup or words, written as is.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// A value, escaped.
    pub fn text(&mut self, value: &str) -> &mut Self {
        escape_into(&mut self.out, value);
        self
    }

    /// `<tag>value</tag>`, the value escaped; `tag` may carry attributes (`p class="muted"`).
    pub fn el(&mut self, tag: &'static str, value: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self.text(value);
        self.out.push_str("</");
        self.out.push_str(tag.split(' ').next().unwrap_or(tag));
        self.out.push('>');
        self
    }

    /// A sentence with `{}` placeholders filled in order by escaped values.
    pub fn fill(&mut self, template: &'static str, values: &[&str]) -> &mut Self {
        let mut values = values.iter();
        let mut parts = template.split("{}");
        if let Some(first) = parts.next() {
            self.out.push_str(first);
        }
        for part in parts {
            if let Some(v) = values.next() {
                self.text(v);
            }
            self.out.push_str(part);
        }
        self
    }

    /// `<section id="…"><h2>title</h2>`; close with [`Html::end_section`].
    pub fn section(&mut self, id: &'static str, title: &'static str) -> &mut Self {
        self.out.push_str("<section id=\"");
        self.out.push_str(id);
        self.out.push_str("\"><h2>");
        self.out.push_str(title);
        self.out.push_str("</h2>\n");
        self
    }

    pub fn end_section(&mut self) -> &mut Self {
        self.out.push_str("</section>\n");
        self
    }

    /// A row of a two-column table: a label and a value, both escaped.
    pub fn row(&mut self, label: &str, value: &str) -> &mut Self {
        self.raw("<tr><th scope=\"row\">")
            .text(label)
            .raw("</th><td>")
            .text(value)
            .raw("</td></tr>\n")
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Everything before the body's content: no script, no external resource, and a content security
/// policy that would block them if one slipped in.
pub const HEAD: &str = r#"<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="robots" content="noindex">
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1d1d1f;background:#f6f6f4;margin:0;padding:0 .75rem 2rem}
main{max-width:46rem;margin:0 auto}
header{padding:1.5rem 0 .5rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.2rem;margin:0 0 .6rem;color:#17456b}
h3{font-size:1rem;margin:1rem 0 .3rem}
section{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem 1.1rem;margin:0 0 1rem}
p{margin:.4rem 0}
ul{margin:.3rem 0;padding-left:1.2rem}
li{margin:.2rem 0}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{text-align:left;vertical-align:top;padding:.3rem .4rem;border-bottom:1px solid #eee;overflow-wrap:anywhere}
th{font-weight:600;width:38%}
thead th{width:auto;font-size:.85rem;color:#555}
.muted{color:#5f5f5f;font-size:.9rem}
.lead{font-size:1.05rem}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:.4rem .6rem}
nav ol{columns:2;font-size:.9rem;padding-left:1.2rem}
nav a{color:#17456b}
footer{font-size:.8rem;color:#777;text-align:center}
@media (max-width:32rem){nav ol{columns:1}th{width:45%}}
@media print{body{background:#fff}section{border:0;padding:0}nav{display:none}}
</style>
"#;
