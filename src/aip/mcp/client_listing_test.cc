// A client lists what a hostile server offers only within bounds: a cursor handed back unchanged
// ends the listing with an error instead of looping.
#include <gtest/gtest.h>

#include "aip/mcp/client.h"
#include "aip/testing/testing.h"

namespace aip::mcp {
namespace {

using ::aip::testing::StatusIs;

// LoopingServer answers every tools/list page with one tool and the same next cursor.
class LoopingServer final : public ClientTransport {
 public:
  int pages = 0;
  Result<json::Object> Roundtrip(const json::Object& request, const std::vector<std::pair<std::string, std::string>>&,
                                 const NotificationHandler&, std::chrono::milliseconds) override {
    ++pages;
    json::Object result{{"tools", json::Array{json::Object{{"name", "t"}, {"inputSchema", json::Object{}}}}}, {"nextCursor", "again"}};
    return json::Object{{"jsonrpc", "2.0"}, {"id", request.at("id")}, {"result", std::move(result)}};
  }
  Status Notify(const json::Object&) override { return OkStatus(); }
};

TEST(ClientListing, ACursorHandedBackUnchangedEndsTheListing) {
  auto server = std::make_unique<LoopingServer>();
  LoopingServer* seen = server.get();
  McpClient client(std::move(server));
  EXPECT_THAT(client.ListTools(), StatusIs(ErrorCode::kInvalidArgument, "the same cursor again"));
  EXPECT_EQ(seen->pages, 2);  // The first page, and the one that repeated its cursor.
}

}  // namespace
}  // namespace aip::mcp
