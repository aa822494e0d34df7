/* libcreaterepo_c (and the libcurl, libmagic, libzck, libdrpm... it pulls in), loaded on first
   use: see CLazy.h. Its soname carries its major version. */
#include "shim.h"
#include "CLazy.h"

#if CR_VERSION_MAJOR >= 1
#define LIBCREATEREPO "libcreaterepo_c.so.1", "libcreaterepo_c (libcreaterepo-c0 / createrepo_c-libs)"
#else
#define LIBCREATEREPO "libcreaterepo_c.so.0", "libcreaterepo_c (libcreaterepo-c0 / createrepo_c-libs)"
#endif

MOX_FORWARD_VOID(LIBCREATEREPO, cr_package_parser_init, (void), ())
MOX_FORWARD_VOID(LIBCREATEREPO, cr_xml_dump_init, (void), ())
MOX_FORWARD(LIBCREATEREPO, cr_ContentStat *, cr_contentstat_new, (cr_ChecksumType type, GError **err), (type, err))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_contentstat_free, (cr_ContentStat *stat, GError **err), (stat, err))
MOX_FORWARD(LIBCREATEREPO, struct cr_HeaderRangeStruct, cr_get_header_byte_range, (const char *filename, GError **err),
            (filename, err))
MOX_FORWARD(LIBCREATEREPO, cr_Package *, cr_package_from_rpm,
            (const char *filename, cr_ChecksumType checksum_type, const char *location_href, const char *location_base,
             int changelog_limit, struct stat *stat_buf, cr_HeaderReadingFlags flags, GError **err),
            (filename, checksum_type, location_href, location_base, changelog_limit, stat_buf, flags, err))
MOX_FORWARD(LIBCREATEREPO, cr_Package *, cr_package_from_rpm_base,
            (const char *filename, int changelog_limit, cr_HeaderReadingFlags flags, GError **err),
            (filename, changelog_limit, flags, err))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_package_free, (cr_Package *package), (package))
MOX_FORWARD(LIBCREATEREPO, cr_Repomd *, cr_repomd_new, (void), ())
MOX_FORWARD_VOID(LIBCREATEREPO, cr_repomd_free, (cr_Repomd *repomd), (repomd))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_repomd_set_record, (cr_Repomd *repomd, cr_RepomdRecord *record), (repomd, record))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_repomd_set_revision, (cr_Repomd *repomd, const char *revision), (repomd, revision))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_repomd_sort_records, (cr_Repomd *repomd), (repomd))
MOX_FORWARD(LIBCREATEREPO, char *, cr_xml_dump_repomd, (cr_Repomd *repomd, GError **err), (repomd, err))
MOX_FORWARD(LIBCREATEREPO, cr_RepomdRecord *, cr_repomd_record_new, (const char *type, const char *path), (type, path))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_repomd_record_free, (cr_RepomdRecord *record), (record))
MOX_FORWARD(LIBCREATEREPO, int, cr_repomd_record_fill, (cr_RepomdRecord *record, cr_ChecksumType type, GError **err),
            (record, type, err))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_repomd_record_load_contentstat, (cr_RepomdRecord *record, cr_ContentStat *stats),
                 (record, stats))
MOX_FORWARD(LIBCREATEREPO, int, cr_repomd_record_rename_file, (cr_RepomdRecord *record, GError **err), (record, err))
MOX_FORWARD_VOID(LIBCREATEREPO, cr_repomd_record_set_timestamp, (cr_RepomdRecord *record, gint64 timestamp),
                 (record, timestamp))
MOX_FORWARD(LIBCREATEREPO, cr_XmlFile *, cr_xmlfile_sopen,
            (const char *filename, cr_XmlFileType type, cr_CompressionType comtype, cr_ContentStat *stat, GError **err),
            (filename, type, comtype, stat, err))
MOX_FORWARD(LIBCREATEREPO, int, cr_xmlfile_add_pkg, (cr_XmlFile *f, cr_Package *pkg, GError **err), (f, pkg, err))
MOX_FORWARD(LIBCREATEREPO, int, cr_xmlfile_close, (cr_XmlFile *f, GError **err), (f, err))
MOX_FORWARD(LIBCREATEREPO, int, cr_xmlfile_set_num_of_pkgs, (cr_XmlFile *f, long num, GError **err), (f, num, err))
