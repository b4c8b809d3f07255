// A rule may require how the caller proved who it is, not only who it is:
//   require = { credential = "aip-proof" }                 # or a list: any of them
// A Web Bot Auth signature proves the operator sent a request to this host, not what it asks
// (docs/web-bot-auth.md); tools whose arguments matter can ask for aip's proof, which covers the
// tool, the arguments and the audience. Names are authn::CredentialTypeName's.
#pragma once

#include "aip/policy/policy.h"

namespace aip::policy {

// CredentialConditionFactory reads a credential name or a list of them (each a known type).
ConditionFactory CredentialConditionFactory();

}  // namespace aip::policy
