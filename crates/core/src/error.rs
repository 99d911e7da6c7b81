//! The core's one error type: a code that says what went wrong, the span where, and a detail for the message.
//!
//! Every failure of every format has its own [`ErrorCode`], with a stable name (`duplicate_key`,
//! `yaml_tab_indentation`) that surfaces expose to programs, a message written once in the table below, a coarse
//! [`ErrorClass`], and the [`Hint`] that goes with it. Nothing matches on message text: rewording a message
//! changes no behaviour.

use crate::source::Span;
use core::fmt;

/// Everything the core can report: what went wrong, where, and the detail its message names.
///
/// Line and column are not stored; they are computed from the span when the error is reported
/// ([`crate::Diagnostic`], [`crate::source::locate`]). Creating an error never allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub code: ErrorCode,
    /// Where: the offending bytes, or an empty span where something is missing.
    pub span: Span,
    /// What the message names besides the code's own words: what was found, a limit, an earlier position.
    pub detail: Detail,
}

impl Error {
    /// An error with no detail.
    #[inline]
    pub const fn new(code: ErrorCode, span: Span) -> Self {
        Error { code, span, detail: Detail::None }
    }

    /// An error whose message names `detail`.
    #[inline]
    pub const fn with(code: ErrorCode, detail: Detail, span: Span) -> Self {
        Error { code, span, detail }
    }

    /// The coarse class of the error, for programs that branch on few cases.
    #[inline]
    pub const fn class(&self) -> ErrorClass {
        self.code.class()
    }

    /// The offset of an earlier position the error refers to (the first of two duplicate keys).
    pub const fn related(&self) -> Option<u64> {
        match self.detail {
            Detail::Earlier(first) => Some(first),
            _ => None,
        }
    }

    /// A fix for a common mistake, when there is one. Surfaces word it their own way (the CLI names its flags).
    pub fn hint(&self) -> Option<Hint> {
        use ErrorCode as C;
        Some(match self.code {
            C::CommentNotAllowed => Hint::AllowComments,
            C::TrailingComma => Hint::AllowTrailingCommas,
            C::TrailingContent => Hint::OneValuePerLine,
            _ if self.detail == Detail::Found(Found::Byte(b'\'')) && self.code.class() == ErrorClass::Syntax => {
                Hint::DoubleQuotes
            }
            C::ExpectedKey | C::ExpectedKeyOrObjectEnd => match self.detail {
                Detail::Found(Found::Byte(b)) if b.is_ascii_alphabetic() || b == b'_' => Hint::QuoteKeys,
                _ => return None,
            },
            C::NonFinite => Hint::WriteNullOrString,
            C::NumberLeadingZero => Hint::NoLeadingZeros,
            C::InvalidLiteral => Hint::QuoteStrings,
            C::NumberUnexpectedCharacter => Hint::QuoteText,
            C::DepthLimit => Hint::RaiseDepthLimit,
            C::ControlCharacter if self.detail == Detail::CodePoint(0x0a) => Hint::EscapeLineBreak,
            C::UnsupportedTag => Hint::DropTags,
            C::AliasLimit => Hint::RaiseAliasLimit,
            C::AliasBytesLimit => Hint::RaiseAliasBytesLimit,
            _ => return None,
        })
    }

    /// This error at `span` when it has no place of its own (an output refusing bytes knows no position; the
    /// writer that was writing an event gives it the event's).
    pub fn placed(self, span: Span) -> Error {
        if self.span == Span::default() { Error { span, ..self } } else { self }
    }

    /// True when the input is at fault (as opposed to the input source or the output failing).
    pub fn is_invalid_input(&self) -> bool {
        !matches!(self.code, ErrorCode::Input | ErrorCode::Output)
    }

    /// True when the error is about a value rather than the text (a null TOML cannot hold, a repeated key), so
    /// that naming the value's key path ([`crate::key_path_at`]) says which entry it is.
    pub const fn is_about_a_value(&self) -> bool {
        self.code.is_about_a_value()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let template = self.code.message();
        let Some((before, after)) = template.split_once("{}") else {
            return f.write_str(template);
        };
        f.write_str(before)?;
        match self.detail {
            Detail::Found(found) => write!(f, "{found}")?,
            Detail::Limit(limit) => write!(f, "{limit}")?,
            Detail::CodePoint(c) => write!(f, "U+{c:04X}")?,
            Detail::Name(name) => f.write_str(name)?,
            Detail::None | Detail::Earlier(_) => f.write_str("?")?,
        }
        f.write_str(after)
    }
}

impl core::error::Error for Error {}

/// What an error's message names besides the code's own words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Nothing.
    #[default]
    None,
    /// What was found where something else was expected.
    Found(Found),
    /// The limit that was passed.
    Limit(u64),
    /// The offset of an earlier definition the error conflicts with (not in the message: a diagnostic shows it
    /// as a related position).
    Earlier(u64),
    /// A character, shown as `U+XXXX`.
    CodePoint(u32),
    /// A name: the dialect, the output format.
    Name(&'static str),
}

/// What was found where something else was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A byte of the input (the first byte of a character, for non-ASCII text).
    Byte(u8),
    /// The input ended.
    End,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Found::End => f.write_str("end of input"),
            Found::Byte(b'\n') => f.write_str("a line break"),
            Found::Byte(b'\r') => f.write_str("a carriage return"),
            Found::Byte(b'\t') => f.write_str("a tab"),
            Found::Byte(b'\'') => f.write_str("a single quote"),
            Found::Byte(b) if b.is_ascii_graphic() || b == b' ' => write!(f, "'{}'", b as char),
            Found::Byte(b) if b >= 0x80 => f.write_str("a non-ASCII character"),
            Found::Byte(b) => write!(f, "control character U+{b:04X}"),
        }
    }
}

/// The coarse classes of error, as the `kind` of `dfmt serve`'s and the web page's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The text breaks its format's grammar.
    Syntax,
    /// The bytes are not UTF-8.
    Encoding,
    /// A key or table defined twice.
    Duplicate,
    /// Nesting deeper than the limit.
    DepthLimit,
    /// A single value longer than the limit.
    TooLong,
    /// YAML alias expansion past its budget.
    AliasLimit,
    /// A value the target format cannot express, or a job the core does not offer.
    NotRepresentable,
    /// The document needs more memory held at once than the limit allows (sorting keys, anchors, TOML tables).
    MemoryLimit,
    /// The output would be larger than the limit.
    OutputLimit,
    /// The job was stopped from outside (its deadline passed).
    Cancelled,
    /// The input source or the output failed.
    Io,
    /// The data is valid in its format but breaks a JSON Schema (the diagnostic's message says how).
    Schema,
}

impl ErrorClass {
    /// The class's stable name: `syntax`, `encoding`, `duplicate`, `depth_limit`, `too_long`, `alias_limit`,
    /// `not_representable`, `memory_limit`, `output_limit`, `cancelled`, `io`, `schema`.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorClass::Syntax => "syntax",
            ErrorClass::Encoding => "encoding",
            ErrorClass::Duplicate => "duplicate",
            ErrorClass::DepthLimit => "depth_limit",
            ErrorClass::TooLong => "too_long",
            ErrorClass::AliasLimit => "alias_limit",
            ErrorClass::NotRepresentable => "not_representable",
            ErrorClass::MemoryLimit => "memory_limit",
            ErrorClass::OutputLimit => "output_limit",
            ErrorClass::Cancelled => "cancelled",
            ErrorClass::Io => "io",
            ErrorClass::Schema => "schema",
        }
    }
}

/// Fixes for common mistakes. The core names no surface's options; each surface words a hint its own way
/// ([`Hint::text`] is the wording that names none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hint {
    /// Comments are JSONC: read the input as JSONC.
    AllowComments,
    /// Trailing commas are JSONC: remove the comma, or read the input as JSONC.
    AllowTrailingCommas,
    /// Several values, one per line, are NDJSON; or wrap them in an array.
    OneValuePerLine,
    /// JSON strings use double quotes.
    DoubleQuotes,
    /// JSON object keys are strings in double quotes.
    QuoteKeys,
    /// A non-finite number has no JSON form: write null, or a string.
    WriteNullOrString,
    /// Numbers have no leading zeros.
    NoLeadingZeros,
    /// A bare word is not a JSON value: strings need double quotes.
    QuoteStrings,
    /// Text that starts like a number is a string in quotes.
    QuoteText,
    /// The nesting limit can be raised for trusted input.
    RaiseDepthLimit,
    /// A line break inside a JSON string is written `\n`.
    EscapeLineBreak,
    /// A tag the target cannot express can be dropped, or removed from the input.
    DropTags,
    /// The alias-expansion limit can be raised for trusted input.
    RaiseAliasLimit,
    /// The alias-expansion limit in bytes can be raised for trusted input.
    RaiseAliasBytesLimit,
}

impl Hint {
    /// The hint's stable name, for programs.
    pub const fn name(self) -> &'static str {
        match self {
            Hint::AllowComments => "allow_comments",
            Hint::AllowTrailingCommas => "allow_trailing_commas",
            Hint::OneValuePerLine => "one_value_per_line",
            Hint::DoubleQuotes => "double_quotes",
            Hint::QuoteKeys => "quote_keys",
            Hint::WriteNullOrString => "write_null_or_string",
            Hint::NoLeadingZeros => "no_leading_zeros",
            Hint::QuoteStrings => "quote_strings",
            Hint::QuoteText => "quote_text",
            Hint::RaiseDepthLimit => "raise_depth_limit",
            Hint::EscapeLineBreak => "escape_line_break",
            Hint::DropTags => "drop_tags",
            Hint::RaiseAliasLimit => "raise_alias_limit",
            Hint::RaiseAliasBytesLimit => "raise_alias_bytes_limit",
        }
    }

    /// The hint in words that name no option of any surface.
    pub const fn text(self) -> &'static str {
        match self {
            Hint::AllowComments => "comments are allowed in JSONC",
            Hint::AllowTrailingCommas => "remove the comma, or read the input as JSONC",
            Hint::OneValuePerLine => {
                "one value per line is NDJSON: read the input as NDJSON; or wrap the values in an array"
            }
            Hint::DoubleQuotes => "JSON strings use double quotes",
            Hint::QuoteKeys => "object keys must be strings in double quotes",
            Hint::WriteNullOrString => "write null, or the value as a string",
            Hint::NoLeadingZeros => "write the number without leading zeros",
            Hint::QuoteStrings => "strings must be in double quotes",
            Hint::QuoteText => "text is written in quotes: \"1.2.3\"",
            Hint::RaiseDepthLimit => "raise the nesting limit if the input is trusted",
            Hint::EscapeLineBreak => "a line break inside a string is written \\n",
            Hint::DropTags => "drop the tags, or remove the tag",
            Hint::RaiseAliasLimit => "raise the alias-expansion limit if the input is trusted",
            Hint::RaiseAliasBytesLimit => "raise the alias-expansion limit in bytes if the input is trusted",
        }
    }
}

/// Declares [`ErrorCode`] from one table: variant, stable name, class, message (`{}` stands for the detail).
macro_rules! codes {
    ($( $group:literal { $( $variant:ident = $name:literal, $class:ident, $message:literal; )* } )*) => {
        /// Every failure the core reports, one variant each, for all formats.
        ///
        /// [`ErrorCode::name`] is stable: surfaces expose it (`code` in `dfmt serve`'s answers, the page's and the
        /// bindings' errors, `--message-format json`), and programs may branch on it. The message is the text
        /// after `error:`; `{}` in it stands for the error's [`Detail`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(
                #[doc = concat!("`", $name, "` (", $group, "): ", $message)]
                $variant,
            )*)*
        }

        impl ErrorCode {
            /// Every code, in the order of the table.
            pub const ALL: &'static [ErrorCode] = &[$($(ErrorCode::$variant,)*)*];

            /// The stable name: lowercase words joined by `_`.
            pub const fn name(self) -> &'static str {
                match self { $($(ErrorCode::$variant => $name,)*)* }
            }

            /// The coarse class.
            pub const fn class(self) -> ErrorClass {
                match self { $($(ErrorCode::$variant => ErrorClass::$class,)*)* }
            }

            /// The message, with `{}` where the detail goes.
            pub const fn message(self) -> &'static str {
                match self { $($(ErrorCode::$variant => $message,)*)* }
            }
        }
    };
}

codes! {
    "JSON, JSONC and NDJSON" {
        ExpectedValue = "expected_value", Syntax, "expected a value, found {}";
        ExpectedValueOrArrayEnd = "expected_value_or_array_end", Syntax, "expected a value or ']', found {}";
        ExpectedValueAfterComma = "expected_value_after_comma", Syntax, "expected a value after ',', found {}";
        ExpectedValueAfterColon = "expected_value_after_colon", Syntax, "expected a value after ':', found {}";
        ExpectedKey = "expected_key", Syntax, "expected '\"' to start an object key, found {}";
        ExpectedKeyOrObjectEnd = "expected_key_or_object_end", Syntax,
            "expected '\"' to start an object key, or '}', found {}";
        ExpectedColon = "expected_colon", Syntax, "expected ':' after object key, found {}";
        ExpectedCommaOrArrayEnd = "expected_comma_or_array_end", Syntax, "expected ',' or ']' after array element, found {}";
        ExpectedCommaOrObjectEnd = "expected_comma_or_object_end", Syntax, "expected ',' or '}' after object entry, found {}";
        NdjsonLineBreakAfterValue = "ndjson_line_break_after_value", Syntax,
            "expected a line break after the value (NDJSON has one value per line), found {}";
        NdjsonValueAcrossLines = "ndjson_value_across_lines", Syntax,
            "expected the value to end on its line (NDJSON has one value per line), found {}";
        TrailingContent = "trailing_content", Syntax, "unexpected content after the top-level value";
        TrailingComma = "trailing_comma", Syntax, "trailing comma before {}";
        CommentNotAllowed = "comment_not_allowed", Syntax, "comments are not allowed in {}";
        UnterminatedComment = "unterminated_comment", Syntax, "unterminated block comment; expected '*/'";
        UnterminatedString = "unterminated_string", Syntax, "unterminated string; expected '\"'";
        ControlCharacter = "control_character", Syntax, "control character {} in string; write it as an escape";
        InvalidEscape = "invalid_escape", Syntax,
            "invalid escape in string; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX";
        InvalidUnicodeEscape = "invalid_unicode_escape", Syntax,
            "invalid unicode escape; expected four hexadecimal digits after \\u";
        InvalidLiteral = "invalid_literal", Syntax,
            "invalid literal; expected a value (true, false, null, a number, a string, '[' or '{')";
        NonFinite = "non_finite", NotRepresentable, "NaN and Infinity are not JSON numbers";
    }
    "numbers" {
        NumberExpectedDigit = "number_expected_digit", Syntax, "invalid number: expected a digit";
        NumberLeadingZero = "number_leading_zero", Syntax, "invalid number: leading zeros are not allowed";
        NumberExpectedFraction = "number_expected_fraction", Syntax,
            "invalid number: expected a digit after the decimal point";
        NumberExpectedExponent = "number_expected_exponent", Syntax, "invalid number: expected a digit in the exponent";
        NumberHexadecimal = "number_hexadecimal", Syntax, "invalid number: hexadecimal numbers are not allowed";
        NumberTwoPoints = "number_two_points", Syntax, "invalid number: a number has at most one decimal point";
        NumberUnexpectedCharacter = "number_unexpected_character", Syntax,
            "invalid number: unexpected character in number";
        NumberRadixDigits = "number_radix_digits", Syntax,
            "invalid number: invalid digits after the radix prefix, or more than a 64-bit signed integer holds";
        NumberOverflow = "number_overflow", Syntax, "invalid number: more than a 64-bit signed integer holds";
        YamlNotCoreNumber = "yaml_not_core_number", Syntax, "invalid number: not a number of the YAML core schema";
    }
    "text" {
        InvalidUtf8 = "invalid_utf8", Encoding, "invalid UTF-8";
        NotUtf8Encoding = "not_utf8_encoding", Encoding, "input is not UTF-8 (it looks like UTF-16 or UTF-32)";
        BareCarriageReturn = "bare_carriage_return", Syntax, "carriage return without a line feed";
    }
    "limits" {
        DepthLimit = "depth_limit", DepthLimit, "nesting is deeper than the limit of {}";
        TokenTooLong = "token_too_long", TooLong, "a single value is longer than the limit of {} bytes";
        AliasLimit = "alias_limit", AliasLimit, "alias expansion exceeds the limit of {} nodes";
        AliasBytesLimit = "alias_bytes_limit", AliasLimit, "alias expansion exceeds the limit of {} bytes";
        TooLargeToHold = "too_large_to_hold", NotRepresentable, "the document is too large to hold in memory (4 GiB)";
        HeldBytesLimit = "held_bytes_limit", MemoryLimit,
            "the document needs more than the limit of {} bytes held in memory";
        OutputLimit = "output_limit", OutputLimit, "the output exceeds the limit of {} bytes";
        Cancelled = "cancelled", Cancelled, "the job was stopped before it finished: its time limit passed";
    }
    "JSON Schema (dfmt-schema)" {
        SchemaViolation = "schema_violation", Schema, "the value does not match the schema";
    }
    "data (any reader into any writer)" {
        DuplicateKey = "duplicate_key", Duplicate, "duplicate key";
        UnsupportedTag = "unsupported_tag", NotRepresentable, "this tag has no meaning in the target format";
        TagMismatch = "tag_mismatch", Syntax, "the value does not match its tag";
        ComplexKey = "complex_key", NotRepresentable, "a mapping or sequence as a key has no JSON form";
        JsonKeyNotString = "json_key_not_string", NotRepresentable, "JSON object keys must be strings";
        TagNotJson = "tag_not_json", NotRepresentable, "a tag has no JSON form";
        UnexpandedAlias = "unexpanded_alias", NotRepresentable,
            "an alias must be expanded before it is written as data";
        TomlTopLevelNotTable = "toml_top_level_not_table", NotRepresentable, "TOML's top level must be a table";
        TomlKeyNotString = "toml_key_not_string", NotRepresentable, "TOML keys are strings";
        TomlSecondDocument = "toml_second_document", NotRepresentable, "TOML holds one document; this is a second";
        TomlNull = "toml_null", NotRepresentable, "null has no TOML form; remove the entry or give it a value";
        TomlIntegerRange = "toml_integer_range", NotRepresentable, "integer beyond TOML's 64-bit range";
        SortKeysUnsupported = "sort_keys_unsupported", NotRepresentable, "sorting keys is not supported for {} output yet";
        FormatNotBuilt = "format_not_built", NotRepresentable, "this build of dfmt has no {} support";
    }
    "YAML" {
        YamlUnexpectedEnd = "yaml_unexpected_end", Syntax, "unexpected end of input";
        YamlExpectedColonAfterKey = "yaml_expected_colon_after_key", Syntax, "expected ':' after an implicit mapping key";
        YamlFlowUnderindented = "yaml_flow_underindented", Syntax,
            "flow content must be indented more than the enclosing block";
        YamlReservedIndicator = "yaml_reserved_indicator", Syntax,
            "a plain scalar cannot start with a reserved indicator";
        YamlIndicatorBeforeFlowIndicator = "yaml_indicator_before_flow_indicator", Syntax,
            "a plain scalar cannot start with an indicator followed by ',', '[', ']', '{' or '}'";
        YamlUnexpectedIndicator = "yaml_unexpected_indicator", Syntax, "unexpected indicator";
        YamlTab = "yaml_tab", Syntax, "tabs are not allowed here";
        YamlCommentWithoutSpace = "yaml_comment_without_space", Syntax,
            "a comment must be separated from content by a space";
        YamlTabIndentation = "yaml_tab_indentation", Syntax, "tabs cannot be used for indentation";
        YamlUnterminatedFlow = "yaml_unterminated_flow", Syntax, "unterminated flow collection: expected ']' or '}'";
        YamlInvalidVersionDirective = "yaml_invalid_version_directive", Syntax,
            "invalid %YAML directive: expected a version like 1.2";
        YamlTagDirectiveHandle = "yaml_tag_directive_handle", Syntax, "invalid %TAG directive: expected a tag handle";
        YamlTagDirectiveNamedHandle = "yaml_tag_directive_named_handle", Syntax,
            "invalid %TAG directive: a named handle ends with '!'";
        YamlTagDirectiveSpace = "yaml_tag_directive_space", Syntax,
            "invalid %TAG directive: expected a space after the handle";
        YamlTagDirectivePrefix = "yaml_tag_directive_prefix", Syntax, "invalid %TAG directive: expected a tag prefix";
        YamlContentAfterDirective = "yaml_content_after_directive", Syntax, "unexpected content after a directive";
        YamlContentAfterDocumentEnd = "yaml_content_after_document_end", Syntax, "unexpected content after '...'";
        YamlContentAfterValue = "yaml_content_after_value", Syntax,
            "unexpected content after a complete value on the same line";
        YamlSequenceEntryNotAllowed = "yaml_sequence_entry_not_allowed", Syntax,
            "a sequence entry ('- ') is not allowed here";
        YamlBlockEntryInFlow = "yaml_block_entry_in_flow", Syntax,
            "a block sequence entry ('- ') is not allowed in a flow collection";
        YamlExplicitKeyNotAllowed = "yaml_explicit_key_not_allowed", Syntax,
            "an explicit key ('? ') is not allowed here";
        YamlMappingValueNotAllowed = "yaml_mapping_value_not_allowed", Syntax,
            "a mapping value (':') is not allowed here";
        YamlExpectedAnchorName = "yaml_expected_anchor_name", Syntax, "expected an anchor name after '&'";
        YamlExpectedAliasName = "yaml_expected_alias_name", Syntax, "expected an alias name after '*'";
        YamlUnterminatedVerbatimTag = "yaml_unterminated_verbatim_tag", Syntax, "unterminated verbatim tag: expected '>'";
        YamlEmptyVerbatimTag = "yaml_empty_verbatim_tag", Syntax, "a verbatim tag cannot be empty";
        YamlInvalidTagCharacter = "yaml_invalid_tag_character", Syntax, "invalid character in a tag";
        YamlExpectedTagSuffix = "yaml_expected_tag_suffix", Syntax, "expected a tag suffix after the handle";
        YamlExpectedSpaceAfterTag = "yaml_expected_space_after_tag", Syntax, "expected a space after a tag";
        YamlInvalidTagEscape = "yaml_invalid_tag_escape", Syntax, "invalid %-escape in a tag";
        YamlTagEscapeNotUtf8 = "yaml_tag_escape_not_utf8", Syntax, "a tag's %-escapes do not form UTF-8";
        YamlZeroIndentationIndicator = "yaml_zero_indentation_indicator", Syntax,
            "a block scalar's indentation indicator cannot be 0";
        YamlContentAfterBlockHeader = "yaml_content_after_block_header", Syntax,
            "unexpected content after a block scalar header";
        YamlLeadingLineOverindented = "yaml_leading_line_overindented", Syntax,
            "a leading empty line of a block scalar is indented more than its text";
        YamlTabInBlockIndentation = "yaml_tab_in_block_indentation", Syntax,
            "a tab where block scalar indentation was expected";
        YamlDocumentMarkerInQuoted = "yaml_document_marker_in_quoted", Syntax,
            "a document marker inside a quoted scalar";
        YamlUnterminatedQuoted = "yaml_unterminated_quoted", Syntax, "unterminated quoted scalar";
        YamlQuotedContinuationIndent = "yaml_quoted_continuation_indent", Syntax,
            "a quoted scalar's continuation line must be indented";
        YamlInvalidEscape = "yaml_invalid_escape", Syntax, "invalid escape in a double-quoted scalar";
        YamlDirectiveAfterDocument = "yaml_directive_after_document", Syntax,
            "a directive must follow '...' that ends the previous document";
        YamlExpectedDocumentEnd = "yaml_expected_document_end", Syntax, "expected the end of the document";
        YamlExpectedDocumentStart = "yaml_expected_document_start", Syntax, "expected '---' to start a new document";
        YamlExpectedStartAfterDirectives = "yaml_expected_start_after_directives", Syntax,
            "expected '---' after directives";
        YamlDuplicateVersionDirective = "yaml_duplicate_version_directive", Syntax,
            "a document may have only one %YAML directive";
        YamlDuplicateTagHandle = "yaml_duplicate_tag_handle", Syntax, "this tag handle is already defined";
        YamlUndefinedAlias = "yaml_undefined_alias", Syntax, "alias to an undefined anchor";
        YamlTwoAnchors = "yaml_two_anchors", Syntax, "a node can have only one anchor";
        YamlTwoTags = "yaml_two_tags", Syntax, "a node can have only one tag";
        YamlExpectedNode = "yaml_expected_node", Syntax, "expected a node (a value)";
        YamlUndefinedTagHandle = "yaml_undefined_tag_handle", Syntax,
            "undefined tag handle: declare it with a %TAG directive";
        YamlExpectedSequenceEntry = "yaml_expected_sequence_entry", Syntax,
            "expected '- ' (a sequence entry) or less indentation";
        YamlExpectedMappingKey = "yaml_expected_mapping_key", Syntax,
            "expected a mapping key (`key: value`) or less indentation";
        YamlExpectedFlowSequenceSeparator = "yaml_expected_flow_sequence_separator", Syntax,
            "expected ',' or ']' in a flow sequence";
        YamlExpectedFlowMappingSeparator = "yaml_expected_flow_mapping_separator", Syntax,
            "expected ',' or '}' in a flow mapping";
        YamlRecursiveAlias = "yaml_recursive_alias", Syntax, "an alias cannot refer to the node that contains it";
        YamlInvalidMergeValue = "yaml_invalid_merge_value", Syntax,
            "a merge key's value must be a mapping or a list of mappings";
    }
    "TOML" {
        TomlControlInComment = "toml_control_in_comment", Syntax, "control character in comment";
        TomlMultilineKey = "toml_multiline_key", Syntax, "multi-line strings cannot be keys";
        TomlLineBreakInString = "toml_line_break_in_string", Syntax,
            "line break in a single-line string; close the quote, or use \"\"\" for several lines";
        TomlInvalidEscape = "toml_invalid_escape", Syntax,
            "invalid escape; expected one of \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX";
        TomlEscapeNotScalar = "toml_escape_not_scalar", Syntax, "escape is not a Unicode scalar value";
        TomlExpectedKey = "toml_expected_key", Syntax,
            "expected a key (letters, digits, '_', '-', or a quoted string), found {}";
        TomlExpectedValue = "toml_expected_value", Syntax,
            "expected a value (a string, a number, true, false, a date-time, '[' or '{'), found {}";
        TomlExpectedLineBreak = "toml_expected_line_break", Syntax, "expected a line break after the value, found {}";
        TomlUnclosedHeader = "toml_unclosed_header", Syntax, "expected ']' to close the header, found {}";
        TomlUnclosedArrayHeader = "toml_unclosed_array_header", Syntax,
            "expected ']]' to close the array-of-tables header, found {}";
        TomlExpectedStatement = "toml_expected_statement", Syntax,
            "expected a key, a [table] header or a comment, found {}";
        TomlExpectedEquals = "toml_expected_equals", Syntax, "expected '=' after the key, found {}";
        TomlExpectedArraySeparator = "toml_expected_array_separator", Syntax,
            "expected ',' or ']' after an array element, found {}";
        TomlExpectedInlineSeparator = "toml_expected_inline_separator", Syntax,
            "expected ',' or '}' after an inline table entry, found {}";
        TomlInlineTableLineBreak = "toml_inline_table_line_break", Syntax,
            "line break in an inline table; TOML 1.0 inline tables fit on one line";
        TomlInvalidTime = "toml_invalid_time", Syntax, "invalid time; expected HH:MM:SS with an optional fraction";
        TomlInvalidDate = "toml_invalid_date", Syntax, "invalid date; expected YYYY-MM-DD";
        TomlDateTimeSeparator = "toml_date_time_separator", Syntax,
            "invalid date-time; expected 'T' or a space between date and time";
        TomlInvalidDateTime = "toml_invalid_date_time", Syntax,
            "invalid date-time; expected YYYY-MM-DDTHH:MM:SS with an optional fraction and offset";
        TomlValueWithoutKey = "toml_value_without_key", Syntax, "a value without a key";
        TomlInlineTableExtended = "toml_inline_table_extended", Duplicate, "an inline table cannot be extended";
        TomlKeyHasValue = "toml_key_has_value", Duplicate, "this key already holds a value";
        TomlArrayNamesTable = "toml_array_names_table", Duplicate, "array of tables has the name of a table";
        TomlTableDefinedTwice = "toml_table_defined_twice", Duplicate, "table defined twice";
        TomlTableDefinedByDottedKeys = "toml_table_defined_by_dotted_keys", Duplicate,
            "table already defined by dotted keys";
        TomlTableNamesArray = "toml_table_names_array", Duplicate, "table has the name of an array of tables";
        TomlHeaderTableExtended = "toml_header_table_extended", Duplicate,
            "a table defined by a header cannot be extended by dotted keys";
    }
    "the job" {
        Stopped = "stopped", Io, "stopped by the consumer of the events";
        Input = "input", Io, "reading the input failed";
        Output = "output", Io, "writing the output failed";
    }
}

impl ErrorCode {
    /// True when the error is about a value rather than the text, so that its key path says which entry it is.
    pub const fn is_about_a_value(self) -> bool {
        matches!(
            self,
            ErrorCode::NonFinite
                | ErrorCode::UnsupportedTag
                | ErrorCode::DuplicateKey
                | ErrorCode::ComplexKey
                | ErrorCode::JsonKeyNotString
                | ErrorCode::TagNotJson
                | ErrorCode::TomlTopLevelNotTable
                | ErrorCode::TomlKeyNotString
                | ErrorCode::TomlSecondDocument
                | ErrorCode::TomlNull
                | ErrorCode::TomlIntegerRange
                | ErrorCode::SchemaViolation
        )
    }

    /// The code named `name`.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|code| code.name() == name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn names_are_unique_snake_case_and_round_trip() {
        let mut names: alloc::vec::Vec<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        for name in &names {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{name}");
            assert_eq!(ErrorCode::from_name(name).map(ErrorCode::name), Some(*name));
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate names");
    }

    #[test]
    fn messages_have_at_most_one_placeholder() {
        for code in ErrorCode::ALL {
            assert!(code.message().matches("{}").count() <= 1, "{code:?}");
            assert!(!code.message().ends_with('.'), "{code:?}");
        }
    }

    #[test]
    fn details_fill_the_placeholder() {
        let at = Span::at(0);
        let e = Error::with(ErrorCode::ExpectedCommaOrObjectEnd, Detail::Found(Found::Byte(b'"')), at);
        assert_eq!(e.to_string(), "expected ',' or '}' after object entry, found '\"'");
        assert_eq!(
            Error::with(ErrorCode::DepthLimit, Detail::Limit(3), at).to_string(),
            "nesting is deeper than the limit of 3"
        );
        let control = Error::with(ErrorCode::ControlCharacter, Detail::CodePoint(10), at);
        assert_eq!(control.to_string(), "control character U+000A in string; write it as an escape");
        assert_eq!(control.hint(), Some(Hint::EscapeLineBreak));
        assert_eq!(Error::new(ErrorCode::DuplicateKey, at).to_string(), "duplicate key");
    }
}
