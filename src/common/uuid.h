// Random identities: broker ids and the HA module's object identities.
#pragma once

#include <string>

namespace qpidd {

// A random (version 4) UUID in its usual text form, e.g. "5f1c3a2e-0b6e-4d7a-9c0d-77ab12345678".
std::string NewUuid();

}  // namespace qpidd
