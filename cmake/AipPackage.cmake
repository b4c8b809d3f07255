# Debian packages (`make package`, CPack): aip_<version>_amd64.deb — the aip command, the example
# servers, man pages, systemd units running as the user `aip` with hardening, and a default
# /etc/aip/gateway.toml — and libaip-dev_<version>_amd64.deb — headers, static libraries, the CMake
# package and aip.pc. The runtime package's dependencies come from the shared libraries actually
# linked (dpkg-shlibdeps).
set(aip_deb ${PROJECT_SOURCE_DIR}/packaging/debian)

# Man pages from --help (help2man), built with everything else when help2man is there.
find_program(AIP_HELP2MAN help2man)
if(AIP_HELP2MAN AND TARGET aip)
  set(aip_man_pages "")
  foreach(page "aip;;identity, trust and authorization for the Model Context Protocol"
               "aip-gateway;gateway;the MCP gateway: signed calls, API keys, OAuth, policy, audit"
               "aip-registry;registry;the agent registry and its federation")
    list(GET page 0 name)
    list(GET page 1 sub)
    list(GET page 2 what)
    # help2man runs one program: a two-line wrapper stands for `aip <subcommand>`.
    set(program $<TARGET_FILE:aip>)
    if(sub)
      set(program ${PROJECT_BINARY_DIR}/man/${name})
      file(GENERATE OUTPUT ${program} CONTENT "#!/bin/sh\nexec $<TARGET_FILE:aip> ${sub} \"$@\"\n"
           FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    endif()
    add_custom_command(
      OUTPUT ${PROJECT_BINARY_DIR}/man/${name}.1.gz
      COMMAND ${AIP_HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION} --name=${what}
              --output=${PROJECT_BINARY_DIR}/man/${name}.1 ${program}
      COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/man/${name}.1
      DEPENDS aip
      COMMENT "Man page ${name}(1)"
      VERBATIM)
    list(APPEND aip_man_pages ${PROJECT_BINARY_DIR}/man/${name}.1.gz)
  endforeach()
  add_custom_target(aip_man_pages ALL DEPENDS ${aip_man_pages})
  install(FILES ${aip_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
endif()

# Only in the package (not in a plain `cmake --install`, which must not write to /etc): the units
# and the default configuration.
install(FILES ${aip_deb}/aip-gateway.service ${aip_deb}/aip-registry.service DESTINATION lib/systemd/system COMPONENT runtime
        EXCLUDE_FROM_ALL)
install(FILES ${aip_deb}/gateway.toml DESTINATION /etc/aip COMPONENT runtime EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aip)
set(CPACK_PACKAGE_VENDOR "aip")
set(CPACK_PACKAGE_CONTACT "aip developers <maintainers@aip.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "identity, trust and authorization for the Model Context Protocol")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME aip)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION net)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "identity, trust and authorization for the Model Context Protocol\n The aip command (identities, signed MCP calls, vouches, the gateway and the\n registry), the example MCP servers, and systemd units for the gateway and\n the registry.")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${aip_deb}/postinst ${aip_deb}/conffiles)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libaip-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libssl-dev (>= 3.0), libsodium-dev (>= 1.0.18), libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libsqlite3-dev, libpq-dev, libhiredis-dev, libre2-dev, pkg-config")
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "aip C++ libraries: headers, static libraries, CMake and pkg-config files\n libaip as a library: find_package(aip) or pkg-config aip (docs/library.md).")
include(CPack)
