#include "browser.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cstring>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace aip::cli {

std::function<Status(const std::string& url)> BrowserOpener(std::string command) {
  return [command = std::move(command)](const std::string& url) -> Status {
    std::cerr << "Sign in to continue: open this URL in a browser\n  " << url << "\n";
    std::istringstream in(command);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) return OkStatus();
    words.push_back(url);
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (int err = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); err != 0) {
      return UnavailableError("cannot run the browser command " + words[0] + ": " + std::strerror(err));
    }
    // The browser may outlive the login (a new window of a running one returns at once, a fresh
    // one does not); reap it whenever it exits.
    std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();
    return OkStatus();
  };
}

}  // namespace aip::cli
