# Install rules: `cmake --install` puts the libraries (libaip_<module>.a), the public headers, the
# CMake package (find_package(aip): aip::aip and aip::<module>) and aip.pc under the prefix,
# with the aip command and the example servers when they were built (docs/library.md).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(aip_modules GLOBAL PROPERTY AIP_MODULES)
install(TARGETS ${aip_modules} aip_all EXPORT aipTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Every module header is public; test support and sources are not installed.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/aip/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/aip COMPONENT dev
        FILES_MATCHING PATTERN "*.h"
        PATTERN "testing" EXCLUDE)

set(aip_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/aip)
install(EXPORT aipTargets NAMESPACE aip:: DESTINATION ${aip_cmake_dir} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/aipConfig.cmake.in ${PROJECT_BINARY_DIR}/aipConfig.cmake
                              INSTALL_DESTINATION ${aip_cmake_dir})
# 0.x: a minor version may change the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/aipConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/aipConfig.cmake ${PROJECT_BINARY_DIR}/aipConfigVersion.cmake DESTINATION ${aip_cmake_dir}
        COMPONENT dev)

# pkg-config: the archives in one link group (modules refer to each other in both directions of
# the build order), and paths relative to the .pc file, so an install moved with --prefix or
# DESTDIR still finds its libraries.
set(aip_pc_libs "")
foreach(module IN LISTS aip_modules)
  string(REGEX REPLACE "^aip_" "" name ${module})
  string(APPEND aip_pc_libs "-laip_${name} ")
endforeach()
file(RELATIVE_PATH aip_pc_prefix "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
string(REGEX REPLACE "/$" "" aip_pc_prefix "${aip_pc_prefix}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/aip.pc.in ${PROJECT_BINARY_DIR}/aip.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/aip.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

foreach(program aip example-tasks-server example-conformance-server)
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  endif()
endforeach()

include(${PROJECT_SOURCE_DIR}/cmake/AipPackage.cmake)
