/**
 * @internal Rows of numbers as NumPy's `.npy` bytes (format 1.0, little-endian float64), as `np.save` writes
 * them: the example body of the documents' NPY requests.
 */

/** @internal `rows` as a 2-D float64 array in `.npy` format. */
export function npyOf(rows: number[][]): Buffer {
    const width = rows[0]?.length ?? 0;
    let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows.length}, ${width}), }`;
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n
    // ("The .npy format", numpy.lib.format).
    header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
    const head = Buffer.alloc(10);
    head.write("\x93NUMPY", 0, "latin1");
    head[6] = 1;
    head[7] = 0;
    head.writeUInt16LE(header.length, 8);
    const data = Buffer.alloc(rows.length * width * 8);
    rows.flat().forEach((value, i) => data.writeDoubleLE(value, i * 8));
    return Buffer.concat([head, Buffer.from(header, "latin1"), data]);
}
