// Showing the user a sign-in URL: always printed on stderr, and opened with a browser command
// when one is given (--browser, else $BROWSER).
#pragma once

#include <functional>
#include <string>

#include "aip/base/status.h"

namespace aip::cli {

// BrowserOpener returns a function that prints `url` and, if `command` (split on spaces) is not
// empty, runs it with the URL as one more argument — no shell, so the URL is never interpreted.
std::function<Status(const std::string& url)> BrowserOpener(std::string command);

}  // namespace aip::cli
