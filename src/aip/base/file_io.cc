#include "aip/base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace aip {
namespace {

std::string Errno() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

}  // namespace

Result<std::string> ReadFile(const std::filesystem::path& path, std::size_t max_bytes) {
  int raw = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return NotFoundError(path.string() + ": no such file");
    return UnavailableError(path.string() + ": " + Errno());
  }
  Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(path.string() + ": is a directory");
  }
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(path.string() + ": " + Errno());
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return ResourceExhaustedError(path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
  // mkstemp creates the file 0600; fchmod then sets the final mode before any byte is written.
  int raw = ::mkstemp(tmpl.data());
  if (raw < 0) return UnavailableError(dir.string() + ": cannot create a file: " + Errno());
  Fd fd(raw);
  auto fail = [&](std::string what) -> Status {
    ::unlink(tmpl.c_str());
    return UnavailableError(path.string() + ": " + what + ": " + Errno());
  };
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) return fail("chmod");
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync");
  if (::close(fd.release()) != 0) return fail("close");
  if (::rename(tmpl.c_str(), path.c_str()) != 0) return fail("rename");
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());
  return OkStatus();
}

Status EnsurePrivateDirectory(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return FailedPreconditionError(dir.string() + ": not a directory");
    if ((st.st_mode & 077) != 0) {
      return FailedPreconditionError(dir.string() + ": must not be accessible by group or others (chmod 700)");
    }
    return OkStatus();
  }
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return UnavailableError(dir.string() + ": cannot create: " + Errno());
  }
  // mkdir is subject to the umask; 0700 can only lose bits, so the directory is never wider.
  return OkStatus();
}

}  // namespace aip
