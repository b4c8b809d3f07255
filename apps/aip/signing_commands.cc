// aip sign | verify | sign-dir | verify-dir | canonicalize
#include <iostream>

#include "aip/base/file_io.h"
#include "aip/base/jcs.h"
#include "aip/identity/directory_manifest.h"
#include "aip/identity/file_signature.h"
#include "cli.h"

namespace aip::cli {
namespace {

namespace fs = std::filesystem;

// Verification failures exit 1; a missing or unreadable input exits 3.
int VerifyExitCode(const Error& e) {
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kUnavailable ? kError : kVerificationFailed;
}

void AddSign(CLI::App& app, Context& ctx) {
  struct Options {
    std::string file, out;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("sign", "Write a detached signature for a file (FILE.sig)");
  cmd->add_option("FILE", o->file, "File to sign, or - for standard input")->required();
  cmd->add_option("--out", o->out, "Where to write the signature (default FILE.sig; stdout for -)");
  cmd->callback([&ctx, o] {
    LoadedIdentity li = LoadIdentity(ctx);
    std::string content = Check(ReadFile(o->file));
    std::string name = o->file == "-" ? "-" : fs::path(o->file).filename().string();
    json::Object sig = Check(identity::SignFileContent(li.identity, AsBytes(content), name, DefaultClock().Now()));
    std::string text = json::Serialize(sig) + "\n";
    std::string out = !o->out.empty() ? o->out : (o->file == "-" ? "-" : o->file + ".sig");
    if (out == "-") {
      std::cout << text;
      return;
    }
    Check(WriteFileAtomic(out, text, 0644));
    Report(ctx, json::Object{{"signed", o->file}, {"signer", li.identity.did()}, {"signature", out}},
           "Signed " + o->file + " as " + li.identity.did() + "\n  signature: " + out);
  });
}

void AddVerify(CLI::App& app) {
  struct Options {
    std::string file, sig, did;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("verify", "Verify a file's detached signature");
  cmd->add_option("FILE", o->file, "Signed file, or - for standard input")->required();
  cmd->add_option("--sig", o->sig, "Signature file (default FILE.sig)");
  cmd->add_option("--did", o->did, "Require this signer (did:key or did:aip)");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o] {
    if (o->file == "-" && o->sig.empty()) Fail(kUsage, "--sig is required when reading standard input");
    std::string content = Check(ReadFile(o->file));
    std::string sig_path = o->sig.empty() ? o->file + ".sig" : o->sig;
    std::string sig_text = Check(ReadFile(sig_path, 1024 * 1024));
    std::optional<std::string> expected;
    if (!o->did.empty()) expected = o->did;
    auto info = identity::VerifyFileSignature(sig_text, AsBytes(content), expected);
    if (!info) {
      if (o->json) PrintJson(json::Object{{"valid", false}, {"error", info.error().message}});
      Fail(VerifyExitCode(info.error()), "verification FAILED: " + info.error().message);
    }
    if (o->json) {
      PrintJson(json::Object{{"valid", true},
                             {"signer", info->signer},
                             {"did_aip", info->did_aip},
                             {"created", FormatTime(info->created)},
                             {"sha256", info->sha256}});
      return;
    }
    std::cout << "OK: " << o->file << " signed by " << info->signer << " (" << info->did_aip << ") at " << FormatTime(info->created)
              << "\n";
  });
}

void AddSignDir(CLI::App& app, Context& ctx) {
  struct Options {
    std::string dir, out;
    std::vector<std::string> ignore;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("sign-dir", "Sign every file under a directory (DIR/.aip-manifest.json)");
  cmd->add_option("DIR", o->dir, "Directory to sign")->required();
  cmd->add_option("--ignore", o->ignore, "Extra ignore pattern (fnmatch; repeatable)");
  cmd->add_option("--out", o->out, "Manifest path (default DIR/.aip-manifest.json)");
  cmd->callback([&ctx, o] {
    LoadedIdentity li = LoadIdentity(ctx);
    json::Object m = Check(identity::SignDirectory(li.identity, o->dir, o->ignore, DefaultClock().Now()));
    fs::path out = o->out.empty() ? fs::path(o->dir) / identity::kManifestFileName : fs::path(o->out);
    Check(WriteFileAtomic(out, json::Serialize(m) + "\n", 0644));
    std::int64_t files = static_cast<std::int64_t>(m.at("files").as_object().size());
    Report(ctx, json::Object{{"signed", o->dir}, {"files", files}, {"signer", li.identity.did()}, {"manifest", out.string()}},
           "Signed " + std::to_string(files) + " file(s) in " + o->dir + " as " + li.identity.did() + "\n  manifest: " + out.string());
  });
}

void AddVerifyDir(CLI::App& app) {
  struct Options {
    std::string dir, manifest, did;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("verify-dir", "Verify a signed directory (.aip-manifest.json, or Python AIP .aip-signature.json)");
  cmd->add_option("DIR", o->dir, "Directory to verify")->required();
  cmd->add_option("--manifest", o->manifest, "Manifest path (default: found in DIR)");
  cmd->add_option("--did", o->did, "Require this signer (did:key or did:aip)");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o] {
    fs::path manifest = o->manifest;
    if (manifest.empty()) {
      manifest = fs::path(o->dir) / identity::kManifestFileName;
      std::error_code ec;
      if (!fs::exists(manifest, ec)) manifest = fs::path(o->dir) / identity::kLegacyManifestFileName;
    }
    std::string text = Check(ReadFile(manifest, 32 * 1024 * 1024));
    std::optional<std::string> expected;
    if (!o->did.empty()) expected = o->did;
    auto report = identity::VerifyDirectory(o->dir, text, expected);
    if (!report) {
      if (o->json) PrintJson(json::Object{{"valid", false}, {"error", report.error().message}});
      Fail(VerifyExitCode(report.error()), "verification FAILED: " + report.error().message);
    }
    if (o->json) {
      json::Array problems;
      for (const auto& p : report->problems) problems.emplace_back(p);
      PrintJson(json::Object{{"valid", report->ok()},
                             {"format", report->format},
                             {"signer", report->signer},
                             {"created", FormatTime(report->created)},
                             {"files", report->files},
                             {"problems", std::move(problems)}});
    } else {
      for (const auto& p : report->problems) std::cout << "  " << p << "\n";
    }
    if (!report->ok()) {
      Fail(kVerificationFailed,
           "verification FAILED: " + std::to_string(report->problems.size()) + " difference(s) from the signed manifest");
    }
    if (!o->json) {
      std::cout << "OK: " << report->files << " file(s) in " << o->dir << " signed by " << report->signer << " (" << report->format
                << " manifest, " << FormatTime(report->created) << ")\n";
    }
  });
}

void AddCanonicalize(CLI::App& app) {
  auto file = std::make_shared<std::string>("-");
  auto* cmd = app.add_subcommand("canonicalize", "Print the RFC 8785 (JCS) canonical form of a JSON document");
  cmd->add_option("FILE", *file, "JSON file, or - for standard input (default)");
  cmd->callback([file] {
    std::string text = Check(ReadFile(*file));
    std::string canonical = Check(json::CanonicalizeText(text), kUsage);
    std::cout << canonical;
    std::cout.flush();
  });
}

}  // namespace

void AddSigningCommands(CLI::App& app, Context& ctx) {
  AddSign(app, ctx);
  AddVerify(app);
  AddSignDir(app, ctx);
  AddVerifyDir(app);
  AddCanonicalize(app);
}

}  // namespace aip::cli
