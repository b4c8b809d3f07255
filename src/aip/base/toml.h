// A strict reader for the TOML subset aip's configuration files use, written for hostile input.
//
// Why our own: configuration and policy files decide who may call what, and a parser that can be
// driven into undefined behaviour by a crafted file is not acceptable there (the packaged TOML
// library failed internal assertions and reached unreachable code under fuzzing). This reader is
// small, bounded (size, nesting, string length) and fuzzed.
//
// Supported (TOML 1.0): comments; bare, quoted and dotted keys; [tables] and [[arrays of
// tables]]; basic and literal strings, single and multi-line, with all escapes; integers
// (decimal with underscores, 0x/0o/0b); floats; booleans; arrays (across lines, trailing comma);
// inline tables. Not supported, each refused with a clear error: dates and times, inf/nan.
// Redefining a key or a table is an error, as TOML requires.
//
// The document comes back as JSON values (integers stay int64, floats are doubles) with the line
// of every key, so that the code reading a configuration can name file, line and field in errors.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "aip/base/field_reader.h"
#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::toml {

struct Document {
  json::Object root;
  // Line (1-based) where each key was defined, by JSON Pointer ("/upstream/0/url").
  std::map<std::string, int> lines;
  std::string source;  // The name given to Parse, for messages.

  // LineOf returns the line of `pointer`, or of its nearest ancestor that has one (0: unknown).
  int LineOf(std::string_view pointer) const;
  // Where formats "source:line" for `pointer`.
  std::string Where(std::string_view pointer) const;
};

struct Limits {
  std::size_t max_bytes = 1024 * 1024;
  std::size_t max_depth = 32;
};

// Parse reads `text`; errors are kInvalidArgument "source:line: problem".
Result<Document> Parse(std::string_view text, std::string_view source_name, const Limits& limits = {});

// DottedName is the name a TOML file gives the member at `pointer`: "/upstream/0/timeout" →
// "upstream[0].timeout".
std::string DottedName(std::string_view pointer);

// Describer makes json::FieldReader errors about `doc` read "source:line: gateway.listen: …".
// The readers using it must not outlive `doc`.
std::shared_ptr<const json::Describe> Describer(const Document& doc);

// Reader returns a json::FieldReader of the document's root table, with its errors described.
inline json::FieldReader Reader(const Document& doc) { return json::FieldReader(doc.root, "", Describer(doc)); }

}  // namespace aip::toml
