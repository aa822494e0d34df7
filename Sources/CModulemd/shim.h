#ifndef MOX_CMODULEMD_SHIM_H
#define MOX_CMODULEMD_SHIM_H
#include <modulemd.h>

/* GLib casts and accessors are macros Swift cannot import. */
static inline ModulemdModuleStreamV2 *mox_md_stream_v2(ModulemdModuleStream *stream) {
  return MODULEMD_IS_MODULE_STREAM_V2(stream) ? MODULEMD_MODULE_STREAM_V2(stream) : NULL;
}
static inline ModulemdDefaultsV1 *mox_md_defaults_v1(ModulemdDefaults *defaults) {
  return defaults && MODULEMD_IS_DEFAULTS_V1(defaults) ? MODULEMD_DEFAULTS_V1(defaults) : NULL;
}
static inline guint mox_ptr_array_count(GPtrArray *array) { return array ? array->len : 0; }
static inline gpointer mox_ptr_array_at(GPtrArray *array, guint i) { return g_ptr_array_index(array, i); }
static inline void mox_object_unref(gpointer object) { if (object) g_object_unref(object); }
static inline void mox_error_free(GError *error) { if (error) g_error_free(error); }
static inline const char *mox_error_message(GError *error) { return error ? error->message : ""; }
#endif
