// Metalinks in the form MirrorManager serves them (Metalink 3.0 with mm0: extensions).

/// A metalink in MirrorManager's form: `mirrors` as (url, preference), hashes of the current
/// repomd.xml and of one alternate.
public func metalinkXML(mirrors: [(String, Int)], sha256: String, alternateSha256: String? = nil, extraURL: String = "") -> String {
    let alternate = alternateSha256.map {
        """
              <mm0:alternates>
                <mm0:alternate>
                  <mm0:timestamp>1700000000</mm0:timestamp>
                  <size>3000</size>
                  <verification><hash type="sha256">\($0)</hash></verification>
                </mm0:alternate>
              </mm0:alternates>
        """
    } ?? ""
    let urls = mirrors.map { url, preference in
        "        <url protocol=\"\(url.prefix { $0 != ":" })\" type=\"\(url.prefix { $0 != ":" })\" location=\"US\" "
            + "preference=\"\(preference)\">\(url)repodata/repomd.xml</url>"
    }.joined(separator: "\n")
    return """
        <?xml version="1.0" encoding="utf-8"?>
        <metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="Mon, 01 Jan 2024 00:00:00 GMT" generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">
         <files>
          <file name="repomd.xml">
           <mm0:timestamp>1700000100</mm0:timestamp>
           <size>3100</size>
           <verification>
            <hash type="md5">00000000000000000000000000000000</hash>
            <hash type="sha256">\(sha256)</hash>
           </verification>
        \(alternate)
           <resources maxconnections="1">
        \(urls)
        \(extraURL)
           </resources>
          </file>
         </files>
        </metalink>
        """
}
