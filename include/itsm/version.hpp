// libitsm version and namespace macros.
#pragma once

#define ITSM_VERSION_MAJOR 0
#define ITSM_VERSION_MINOR 1
#define ITSM_VERSION_PATCH 0
// major * 10000 + minor * 100 + patch, the same number the C ABI reports.
#define ITSM_VERSION_NUMBER_CPP \
    (ITSM_VERSION_MAJOR * 10000 + ITSM_VERSION_MINOR * 100 + ITSM_VERSION_PATCH)

// An inline versioned namespace (as fmt does) so that two incompatible builds linked
// into one process cannot silently mix their types.
#define ITSM_BEGIN_NAMESPACE \
    namespace itsm {         \
    inline namespace v0 {
#define ITSM_END_NAMESPACE \
    }                      \
    }
