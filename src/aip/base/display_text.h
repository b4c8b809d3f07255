// Display text: strings that people read as names or descriptions (a registry's agent names).
// What a reader cannot see, or what changes how the rest is shown, lets one name pass for
// another: control characters, bidirectional overrides, line separators and invisible
// characters are refused, as is text that is not UTF-8.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aip {

// UnsafeDisplayCharacter returns what is wrong with `text` ("U+202E, a bidirectional control"),
// or nothing when every character is fit to show.
std::optional<std::string> UnsafeDisplayCharacter(std::string_view text);

}  // namespace aip
