// DeadlineSocket: a connected TCP socket read and written synchronously under a deadline. Each
// call tries the socket without blocking and, when it would block, waits in poll() for at most
// the time left, so a peer that stops answering fails the call with beast::error::timeout. The
// HTTP client runs its exchanges over it; the HTTP server uses one whose deadline has come to
// send what a socket takes now.
//
// Why not Asio's own synchronous calls: with SO_RCVTIMEO they turn the EAGAIN the kernel returns
// into a poll() without a time limit. Why not Asio's asynchronous calls on a private io_context:
// each one arms and disarms a timer and goes through the reactor, which cost the gateway tens of
// microseconds per upstream call; this costs a send, a recv and, when the answer is not there
// yet, a poll.
//
// It models Asio's SyncReadStream and SyncWriteStream (so Beast's http::read/write and an
// asio::ssl::stream can run over it); it is internal to this module (Asio is not part of aip's
// public headers).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <chrono>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/system_error.hpp>

#include "aip/net/busy_poll.h"
#include "aip/net/loop_context.h"

namespace aip::net {

class DeadlineSocket {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using lowest_layer_type = boost::asio::ip::tcp::socket;

  explicit DeadlineSocket(boost::asio::ip::tcp::socket& socket) : socket_(socket) {}

  // The socket is one the event loop itself serves (a server's connection, already in its
  // reactor): a wait on a loop goes through the socket, not a descriptor lent for the wait.
  void ServedByLoop() { served_by_loop_ = true; }

  // Every read and write from now on must finish within `timeout`.
  void ExpiresAfter(std::chrono::milliseconds timeout) { deadline_ = std::chrono::steady_clock::now() + timeout; }

  executor_type get_executor() { return socket_.get_executor(); }
  lowest_layer_type& lowest_layer() { return socket_; }

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
    return Transfer(buffers, ec, POLLIN, [fd = socket_.native_handle()](msghdr* m) { return ::recvmsg(fd, m, MSG_DONTWAIT); });
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& ec) {
    return Transfer(buffers, ec, POLLOUT,
                    [fd = socket_.native_handle()](msghdr* m) { return ::sendmsg(fd, m, MSG_DONTWAIT | MSG_NOSIGNAL); });
  }

  // The throwing forms complete the stream concepts.
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code ec;
    return OrThrow(read_some(buffers, ec), ec);
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers) {
    boost::system::error_code ec;
    return OrThrow(write_some(buffers, ec), ec);
  }

 private:
  // Up to 16 non-empty buffers of a sequence, as an iovec array.
  struct Iov {
    template <class Buffers>
    explicit Iov(const Buffers& buffers) {
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers) && count < 16; ++it) {
        auto b = boost::asio::buffer(*it);
        if (b.size() == 0) continue;
        parts[count].iov_base = const_cast<void*>(static_cast<const void*>(b.data()));
        parts[count].iov_len = b.size();
        bytes += b.size();
        ++count;
      }
    }
    iovec parts[16];
    std::size_t count = 0;
    std::size_t bytes = 0;
  };

  // Transfer moves at least one byte with `call` (recvmsg or sendmsg, never blocking), waiting
  // for `events` while the socket is not ready and the deadline has not passed.
  template <class Buffers, class Call>
  std::size_t Transfer(const Buffers& buffers, boost::system::error_code& ec, short events, Call call) {
    ec = {};
    Iov iov(buffers);
    if (iov.bytes == 0) return 0;
    while (true) {
      msghdr msg{};
      msg.msg_iov = iov.parts;
      msg.msg_iovlen = iov.count;
      ssize_t n = call(&msg);
      if (n > 0) {
        yielded_ = false;
        return static_cast<std::size_t>(n);
      }
      if (n == 0) {  // Only a read of a closed connection returns 0 for a non-empty buffer.
        ec = boost::asio::error::eof;
        return 0;
      }
      if (!WaitFor(events, ec)) return 0;
    }
  }

  static std::size_t OrThrow(std::size_t n, const boost::system::error_code& ec) {
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  // WaitFor handles a send or recv that failed: true to try again (it would have blocked and the
  // socket is now ready, or a signal interrupted it), false with `ec` set otherwise.
  bool WaitFor(short events, boost::system::error_code& ec) {
    int err = errno;
    if (err == EINTR) return true;
    if (err != EAGAIN && err != EWOULDBLOCK) {
      ec = boost::system::error_code(err, boost::system::system_category());
      return false;
    }
    if (LoopContext* loop = CurrentLoop()) {
      // A handler on an event loop: the fiber waits, the loop's thread serves the others.
      if (std::chrono::steady_clock::now() >= deadline_) {
        ec = boost::beast::error::timeout;
        return false;
      }
      // First let the loop run what else is ready: under load, by the time it comes back the
      // answer is often there, and the wait (lending the socket to the loop's reactor and taking
      // it back: two system calls) is not needed.
      if (!yielded_) {
        yielded_ = true;
        YieldToLoop(*loop);
        return true;
      }
      if (served_by_loop_) return WaitOnLoop(*loop, socket_, events, deadline_, ec);
      return WaitOnLoop(*loop, socket_.native_handle(), events, deadline_, ec);
    }
    // An answer awaited by the only busy handler thread: poll for it (busy_poll.h), and sleep in
    // poll() only if it takes longer than the budget.
    if (events == POLLIN && busy_poll::Poll(1, [fd = socket_.native_handle()] {
          char c;
          return ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        })) {
      return true;
    }
    while (true) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        ec = boost::beast::error::timeout;
        return false;
      }
      pollfd p{socket_.native_handle(), events, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
      if (r > 0) return true;  // Ready, or an error the next call reports.
      if (r < 0 && errno != EINTR) {
        ec = boost::system::error_code(errno, boost::system::system_category());
        return false;
      }
    }
  }

  boost::asio::ip::tcp::socket& socket_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::now();
  bool yielded_ = false;  // On a loop: this transfer already let the loop run once.
  bool served_by_loop_ = false;
};

}  // namespace aip::net
